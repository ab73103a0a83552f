/*
 * Offline Groovy syntax check and call-structure dump (Groovy 2.4, the line Jenkins uses).
 *
 * Usage: groovy groovy_ast.groovy FILE...
 *
 * Each file is compiled to Phases.CONVERSION only: the source is parsed and the AST built, but no class is
 * resolved, so unknown Jenkins steps and Job DSL methods are fine. Prints ONE JSON document on stdout:
 *
 *   {"files": {"<path>": {"ok": true, "tree": [...]}
 *                     | {"ok": false, "errors": [{"line": n, "col": n, "message": "..."}]}}}
 *
 * Tree nodes (all carry "line"; lists are in source order):
 *   {"call": name, "line", "args": [...], "named": {...}, "body": [...]}   plus "receiver" (text) for obj.m(...)
 *                                                                          and "nested" (calls inside argument
 *                                                                          expressions, e.g. foo(bar()))
 *   {"declare": name, "line", "value": v}            def x = ... / String x = ... (also "annotations")
 *   {"assign": target, "op": "=", "line", "value": v} x = ... (e.g. inside environment { })
 *   {"import": "a.b.C", "line", "alias"?, "static"?, "star"?}
 *   {"method": name, "line", "params": [...], "body": [...]}  script-level def foo() { }
 *   {"class": name, "line"}
 *   {"if": cond, "line", "then": [...], "else": [...]}, {"for": text, "body": [...]}, {"while": cond, "body": [...]},
 *   {"try": [...], "catch": [{"param": "e", "type": "T", "body": [...]}], "finally": [...]},
 *   {"switch": expr, "cases": [{"value": v, "body": [...]}], "default": [...]},
 *   {"return": v}, {"throw": v}, {"expr": text} (any other expression statement), {"statement": kind, "text": t}
 * Values: constants (string, number, boolean, null) and lists/maps made only of constants become JSON values;
 * a closure becomes {"closure": [...], "line"}; anything else becomes {"expr": "<source text>"}.
 *
 * Exit status 0 whenever every file was processed (syntax errors included); non-zero on internal failures.
 */

import groovy.json.JsonOutput
import org.codehaus.groovy.ast.ASTNode
import org.codehaus.groovy.ast.AnnotationNode
import org.codehaus.groovy.ast.ClassNode
import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codehaus.groovy.ast.ImportNode
import org.codehaus.groovy.ast.MethodNode
import org.codehaus.groovy.ast.ModuleNode
import org.codehaus.groovy.ast.Parameter
import org.codehaus.groovy.ast.expr.ArgumentListExpression
import org.codehaus.groovy.ast.expr.BinaryExpression
import org.codehaus.groovy.ast.expr.ClosureExpression
import org.codehaus.groovy.ast.expr.ConstantExpression
import org.codehaus.groovy.ast.expr.DeclarationExpression
import org.codehaus.groovy.ast.expr.ElvisOperatorExpression
import org.codehaus.groovy.ast.expr.EmptyExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.ListExpression
import org.codehaus.groovy.ast.expr.MapEntryExpression
import org.codehaus.groovy.ast.expr.MapExpression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.NamedArgumentListExpression
import org.codehaus.groovy.ast.expr.TernaryExpression
import org.codehaus.groovy.ast.expr.TupleExpression
import org.codehaus.groovy.ast.expr.UnaryMinusExpression
import org.codehaus.groovy.ast.expr.VariableExpression
import org.codehaus.groovy.ast.stmt.BlockStatement
import org.codehaus.groovy.ast.stmt.BreakStatement
import org.codehaus.groovy.ast.stmt.CaseStatement
import org.codehaus.groovy.ast.stmt.CatchStatement
import org.codehaus.groovy.ast.stmt.ContinueStatement
import org.codehaus.groovy.ast.stmt.EmptyStatement
import org.codehaus.groovy.ast.stmt.ExpressionStatement
import org.codehaus.groovy.ast.stmt.ForStatement
import org.codehaus.groovy.ast.stmt.IfStatement
import org.codehaus.groovy.ast.stmt.ReturnStatement
import org.codehaus.groovy.ast.stmt.Statement
import org.codehaus.groovy.ast.stmt.SwitchStatement
import org.codehaus.groovy.ast.stmt.ThrowStatement
import org.codehaus.groovy.ast.stmt.TryCatchStatement
import org.codehaus.groovy.ast.stmt.WhileStatement
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.Phases
import org.codehaus.groovy.control.SourceUnit
import org.codehaus.groovy.control.messages.ExceptionMessage
import org.codehaus.groovy.control.messages.SimpleMessage
import org.codehaus.groovy.control.messages.SyntaxErrorMessage
import org.codehaus.groovy.syntax.SyntaxException

/** Turns one parsed module into JSON-ready maps and lists. */
class Walker {
    private final List<String> lines

    Walker(String source) {
        lines = source.readLines()
    }

    // ---- source text -------------------------------------------------------------------------------------

    /** The original source text of a node, trimmed (positions may run one blank past the end). */
    String text(ASTNode node) {
        return rawText(node).trim()
    }

    /** The source between a node's start and end (1-based columns, last exclusive); getText() as fallback. */
    private String rawText(ASTNode node) {
        if (node instanceof TernaryExpression) {
            // Groovy 2.4 positions an elvis (a ?: b) on its operator only: span its operands instead.
            TernaryExpression t = (TernaryExpression) node
            ASTNode first = (node instanceof ElvisOperatorExpression) ? t.trueExpression : t.booleanExpression
            return span(first.lineNumber, first.columnNumber, t.falseExpression.lastLineNumber,
                t.falseExpression.lastColumnNumber, node)
        }
        return span(node.lineNumber, node.columnNumber, node.lastLineNumber, node.lastColumnNumber, node)
    }

    private String span(int l1, int c1, int l2, int c2, ASTNode node) {
        if (l1 < 1 || c1 < 1 || l2 < l1 || c2 < 1 || l2 > lines.size() || (l1 == l2 && c2 <= c1)) {
            return node.text
        }
        try {
            if (l1 == l2) {
                return lines[l1 - 1].substring(c1 - 1, Math.min(c2 - 1, lines[l1 - 1].length()))
            }
            List<String> out = [lines[l1 - 1].substring(c1 - 1)]
            for (int i = l1; i < l2 - 1; i++) {
                out << lines[i]
            }
            out << lines[l2 - 1].substring(0, Math.min(c2 - 1, lines[l2 - 1].length()))
            return out.join('\n')
        } catch (IndexOutOfBoundsException ignored) {
            return node.text
        }
    }

    /** The first source character of a node, or null when the position is unknown. */
    private String firstChar(ASTNode node) {
        int l = node.lineNumber, c = node.columnNumber
        if (l < 1 || c < 1 || l > lines.size() || c > lines[l - 1].length()) {
            return null
        }
        return lines[l - 1].substring(c - 1, c)
    }

    // ---- values ------------------------------------------------------------------------------------------

    private static final Object NOT_CONSTANT = new Object()

    /** A JSON value for constants and lists/maps made only of constants; NOT_CONSTANT otherwise. */
    private Object constant(Expression e) {
        if (e instanceof ConstantExpression) {
            Object v = ((ConstantExpression) e).value
            if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
                return v
            }
            if (v instanceof Character) {
                return v.toString()
            }
            return NOT_CONSTANT
        }
        if (e instanceof UnaryMinusExpression && ((UnaryMinusExpression) e).expression instanceof ConstantExpression) {
            Object v = ((ConstantExpression) ((UnaryMinusExpression) e).expression).value
            return v instanceof Number ? -v : NOT_CONSTANT
        }
        if (e instanceof ListExpression) {
            List out = []
            for (Expression item : ((ListExpression) e).expressions) {
                Object v = constant(item)
                if (v.is(NOT_CONSTANT)) {
                    return NOT_CONSTANT
                }
                out << v
            }
            return out
        }
        if (e instanceof MapExpression) {
            Map out = new LinkedHashMap()
            for (MapEntryExpression entry : ((MapExpression) e).mapEntryExpressions) {
                Object k = constant(entry.keyExpression)
                Object v = constant(entry.valueExpression)
                if (!(k instanceof String) || v.is(NOT_CONSTANT)) {
                    return NOT_CONSTANT
                }
                out[k] = v
            }
            return out
        }
        return NOT_CONSTANT
    }

    /** A value: a JSON constant, {"closure": [...]} or {"expr": text}. */
    Object value(Expression e) {
        if (e == null || e instanceof EmptyExpression) {
            return null
        }
        Object c = constant(e)
        if (!c.is(NOT_CONSTANT)) {
            return c
        }
        if (e instanceof ClosureExpression) {
            return closure((ClosureExpression) e)
        }
        return [expr: text(e)]
    }

    Map closure(ClosureExpression e) {
        Map out = new LinkedHashMap()
        out.closure = block(e.code)
        out.line = e.lineNumber
        if (e.parameters) {
            out.params = e.parameters.collect { Parameter p -> p.name }
        }
        return out
    }

    /** Calls (and closures) found inside an expression that was rendered as {"expr": ...}. */
    List nested(Expression e) {
        if (e == null || !(value(e) instanceof Map) || value(e).containsKey('closure')) {
            return []
        }
        List found = []
        Walker self = this
        e.visit(new CodeVisitorSupport() {
            @Override
            void visitMethodCallExpression(MethodCallExpression call) {
                found << self.call(call)
            }

            @Override
            void visitClosureExpression(ClosureExpression closure) {
                found << self.closure(closure)
            }
        })
        return found
    }

    /** Adds "nested" to a node when expressions inside it hold calls. */
    private static Map withNested(Map node, List found) {
        if (found) {
            node.nested = found
        }
        return node
    }

    // ---- calls -------------------------------------------------------------------------------------------

    Map call(MethodCallExpression e) {
        Map node = new LinkedHashMap()
        node.call = e.methodAsString ?: text(e.method)
        node.line = e.lineNumber
        List found = []
        if (!e.implicitThis) {
            node.receiver = text(e.objectExpression)
            found.addAll(nested(e.objectExpression))
        }
        List<Expression> args = e.arguments instanceof TupleExpression ?
            ((TupleExpression) e.arguments).expressions : [e.arguments]
        List positional = []
        Map named = new LinkedHashMap()
        List body = []
        args.eachWithIndex { Expression arg, int i ->
            boolean isNamed = arg instanceof NamedArgumentListExpression ||
                (arg instanceof MapExpression && firstChar(arg) != null && firstChar(arg) != '[')
            if (isNamed) {
                for (MapEntryExpression entry : ((MapExpression) arg).mapEntryExpressions) {
                    Object k = constant(entry.keyExpression)
                    String key = k instanceof String ? k : text(entry.keyExpression)
                    named[key] = value(entry.valueExpression)
                    found.addAll(nested(entry.valueExpression))
                }
            } else if (arg instanceof ClosureExpression && i == args.size() - 1) {
                body = block(((ClosureExpression) arg).code)
                if (((ClosureExpression) arg).parameters) {
                    node.params = ((ClosureExpression) arg).parameters.collect { Parameter p -> p.name }
                }
            } else {
                positional << value(arg)
                found.addAll(nested(arg))
            }
        }
        node.args = positional
        node.named = named
        node.body = body
        return withNested(node, found)
    }

    // ---- statements --------------------------------------------------------------------------------------

    List block(Statement s) {
        List out = []
        statement(s, out)
        return out
    }

    private void statement(Statement s, List out) {
        if (s == null || s instanceof EmptyStatement) {
            return
        }
        if (s instanceof BlockStatement) {
            for (Statement inner : ((BlockStatement) s).statements) {
                statement(inner, out)
            }
            return
        }
        if (s instanceof ExpressionStatement) {
            out << expressionStatement(((ExpressionStatement) s).expression, s.lineNumber)
            return
        }
        Map node = new LinkedHashMap()
        List found = []
        if (s instanceof IfStatement) {
            IfStatement st = (IfStatement) s
            node['if'] = text(st.booleanExpression)
            node.line = s.lineNumber
            node['then'] = block(st.ifBlock)
            node['else'] = block(st.elseBlock)
            found.addAll(nested(st.booleanExpression.expression))
        } else if (s instanceof ForStatement) {
            ForStatement st = (ForStatement) s
            String var = st.variable?.name
            boolean classic = var == null || var == ForStatement.FOR_LOOP_DUMMY?.name
            node['for'] = classic ? text(st.collectionExpression) : "${var} in ${text(st.collectionExpression)}".toString()
            node.line = s.lineNumber
            node.body = block(st.loopBlock)
            found.addAll(nested(st.collectionExpression))
        } else if (s instanceof WhileStatement) {
            WhileStatement st = (WhileStatement) s
            node['while'] = text(st.booleanExpression)
            node.line = s.lineNumber
            node.body = block(st.loopBlock)
            found.addAll(nested(st.booleanExpression.expression))
        } else if (s instanceof TryCatchStatement) {
            TryCatchStatement st = (TryCatchStatement) s
            node['try'] = block(st.tryStatement)
            node.line = s.lineNumber
            node['catch'] = st.catchStatements.collect { CatchStatement c ->
                [param: c.variable.name, type: c.variable.originType.name, body: block(c.code)]
            }
            node['finally'] = block(st.finallyStatement)
        } else if (s instanceof SwitchStatement) {
            SwitchStatement st = (SwitchStatement) s
            node['switch'] = value(st.expression)
            node.line = s.lineNumber
            node['cases'] = st.caseStatements.collect { CaseStatement c -> [value: value(c.expression), body: block(c.code)] }
            node['default'] = block(st.defaultStatement)
            found.addAll(nested(st.expression))
        } else if (s instanceof ReturnStatement) {
            node['return'] = value(((ReturnStatement) s).expression)
            node.line = s.lineNumber
            found.addAll(nested(((ReturnStatement) s).expression))
        } else if (s instanceof ThrowStatement) {
            node['throw'] = value(((ThrowStatement) s).expression)
            node.line = s.lineNumber
            found.addAll(nested(((ThrowStatement) s).expression))
        } else {
            String kind = s instanceof BreakStatement ? 'break' : s instanceof ContinueStatement ? 'continue' :
                s.class.simpleName
            node.statement = kind
            node.line = s.lineNumber
            node.text = text(s)
        }
        out << withNested(node, found)
    }

    private Map expressionStatement(Expression e, int line) {
        Map node = new LinkedHashMap()
        if (e instanceof MethodCallExpression) {
            return call((MethodCallExpression) e)
        }
        if (e instanceof DeclarationExpression) {
            DeclarationExpression d = (DeclarationExpression) e
            node.declare = d.multipleAssignmentDeclaration ?
                d.tupleExpression.expressions.collect { VariableExpression v -> v.name } : d.variableExpression.name
            node.line = line
            node.value = value(d.rightExpression)
            if (d.annotations) {
                node.annotations = d.annotations.collect { AnnotationNode a -> annotation(a) }
            }
            return withNested(node, nested(d.rightExpression))
        }
        if (e instanceof BinaryExpression && ((BinaryExpression) e).operation.text in
                ['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '?=']) {
            BinaryExpression b = (BinaryExpression) e
            node.assign = text(b.leftExpression)
            node.op = b.operation.text
            node.line = line
            node.value = value(b.rightExpression)
            return withNested(node, nested(b.leftExpression) + nested(b.rightExpression))
        }
        node.expr = text(e)
        node.line = line
        if (e instanceof ClosureExpression) {
            return withNested(node, [closure((ClosureExpression) e)])
        }
        return withNested(node, nested(e))
    }

    private Map annotation(AnnotationNode a) {
        Map members = new LinkedHashMap()
        a.members.each { String k, Expression v -> members[k] = value(v) }
        return [name: a.classNode.nameWithoutPackage, members: members]
    }

    // ---- module ------------------------------------------------------------------------------------------

    List module(ModuleNode m) {
        List<Map> top = []
        List<ImportNode> imports = []
        imports.addAll(m.imports)
        imports.addAll(m.starImports)
        imports.addAll(m.staticImports.values())
        imports.addAll(m.staticStarImports.values())
        for (ImportNode i : imports) {
            Map node = new LinkedHashMap()
            node['import'] = i.star ? (i.packageName ?: i.className).replaceAll(/\.$/, '') : i.className
            if (i.static && !i.star) {
                node['import'] = "${i.className}.${i.fieldName}".toString()
            }
            node.line = i.lineNumber
            if (i.static) {
                node['static'] = true
            }
            if (i.star) {
                node.star = true
            }
            String simple = i.static ? i.fieldName : i.type?.nameWithoutPackage
            if (i.alias && !i.star && i.alias != simple) {
                node.alias = i.alias
            }
            top << node
        }
        top.addAll(block(m.statementBlock))
        for (MethodNode method : m.methods) {
            top << [method: method.name, line: method.lineNumber, params: method.parameters.collect { it.name },
                    body: block(method.code)]
        }
        for (ClassNode c : m.classes) {
            if (!c.script) {
                top << ['class': c.name, line: c.lineNumber]
            }
        }
        // Imports first, then everything else; each group in source order (stable sort by line).
        return inSourceOrder(top.findAll { it.containsKey('import') }) +
            inSourceOrder(top.findAll { !it.containsKey('import') })
    }

    private static List<Map> inSourceOrder(List<Map> nodes) {
        return nodes.withIndex().sort { a, b -> (a[0].line <=> b[0].line) ?: (a[1] <=> b[1]) }*.getAt(0)
    }
}

/** One error as a JSON-ready map. */
Map errorOf(Object message) {
    if (message instanceof SyntaxErrorMessage) {
        SyntaxException cause = ((SyntaxErrorMessage) message).cause
        return [line: cause.line, col: cause.startColumn, message: cause.originalMessage]
    }
    if (message instanceof ExceptionMessage) {
        Exception cause = ((ExceptionMessage) message).cause
        return [line: null, col: null, message: "${cause.class.simpleName}: ${cause.message}".toString()]
    }
    if (message instanceof SimpleMessage) {
        return [line: null, col: null, message: ((SimpleMessage) message).message]
    }
    return [line: null, col: null, message: String.valueOf(message)]
}

Map checkFile(String path, int index) {
    String source = new File(path).getText('UTF-8')
    CompilerConfiguration config = new CompilerConfiguration()
    config.sourceEncoding = 'UTF-8'
    CompilationUnit unit = new CompilationUnit(config)
    // A neutral, valid class name: file names such as "Jenkinsfile.prod" or "seed-job.groovy" are not identifiers.
    SourceUnit su = unit.addSource("GroovyAstScript${index}.groovy", source)
    try {
        unit.compile(Phases.CONVERSION)
    } catch (MultipleCompilationErrorsException e) {
        return [ok: false, errors: e.errorCollector.errors.collect { errorOf(it) }]
    }
    return [ok: true, tree: new Walker(source).module(su.AST)]
}

if (!args) {
    System.err.println('usage: groovy groovy_ast.groovy FILE...')
    System.exit(2)
}
Map files = new LinkedHashMap()
args.eachWithIndex { String path, int i -> files[path] = checkFile(path, i) }
System.out.println(JsonOutput.toJson([files: files]))
System.out.flush()
