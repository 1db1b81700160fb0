// `cel.bind(name, init, body)` (cel-go ext.Bindings, which the DRA environment enables), for
// @bufbuild/cel, whose parser knows only the standard macros. The parsed expression is rewritten the way
// cel-go expands the macro: a comprehension over an empty list whose accumulator is `name`, initialised
// with `init`, with `body` as its result — so `body` sees `name` bound to `init`, evaluated once. A call
// that does not have the macro's shape (an identifier first) is left alone and fails as an unbound
// function, as cel-go refuses it at compile time. Pure.
//
// Public API: `ParsedCel`, `CelExpr`, `expandBindMacros`.
import type { parse } from "@bufbuild/cel";

export type ParsedCel = ReturnType<typeof parse>;
export type CelExpr = ParsedCel["expr"];
type ExprKind = CelExpr["exprKind"];

/** A fresh expression node; ids continue above the parser's. */
class NodeFactory {
  #next: bigint;

  constructor(firstFreeId: bigint) {
    this.#next = firstFreeId;
  }

  node(exprKind: ExprKind): CelExpr {
    const id = this.#next;
    this.#next += 1n;
    return { $typeName: "cel.expr.Expr", id, exprKind };
  }

  emptyList(): CelExpr {
    return this.node({
      case: "listExpr",
      value: { $typeName: "cel.expr.Expr.CreateList", elements: [], optionalIndices: [] },
    });
  }

  falseConstant(): CelExpr {
    return this.node({
      case: "constExpr",
      value: { $typeName: "cel.expr.Constant", constantKind: { case: "boolValue", value: false } },
    });
  }

  ident(name: string): CelExpr {
    return this.node({ case: "identExpr", value: { $typeName: "cel.expr.Expr.Ident", name } });
  }
}

function maxId(expr: CelExpr | undefined): bigint {
  if (expr === undefined) return 0n;
  let max = expr.id;
  for (const child of children(expr)) {
    const inner = maxId(child);
    if (inner > max) max = inner;
  }
  return max;
}

function children(expr: CelExpr): CelExpr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case "selectExpr":
      return kind.value.operand === undefined ? [] : [kind.value.operand];
    case "callExpr":
      return [...(kind.value.target === undefined ? [] : [kind.value.target]), ...kind.value.args];
    case "listExpr":
      return kind.value.elements;
    case "structExpr":
      return kind.value.entries.flatMap((e) => [
        ...(e.keyKind.case === "mapKey" ? [e.keyKind.value] : []),
        ...(e.value === undefined ? [] : [e.value]),
      ]);
    case "comprehensionExpr": {
      const c = kind.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter(
        (e): e is CelExpr => e !== undefined,
      );
    }
    default:
      return [];
  }
}

function bindParts(expr: CelExpr): { name: string; init: CelExpr; body: CelExpr } | undefined {
  const kind = expr.exprKind;
  if (kind.case !== "callExpr" || kind.value.function !== "bind") return undefined;
  const target = kind.value.target;
  if (target?.exprKind.case !== "identExpr" || target.exprKind.value.name !== "cel") return undefined;
  const [name, init, body] = kind.value.args;
  if (kind.value.args.length !== 3 || name?.exprKind.case !== "identExpr") return undefined;
  if (init === undefined || body === undefined) return undefined;
  return { name: name.exprKind.value.name, init, body };
}

function rewrite(expr: CelExpr, factory: NodeFactory): void {
  for (const child of children(expr)) rewrite(child, factory);
  const bind = bindParts(expr);
  if (bind === undefined) return;
  expr.exprKind = {
    case: "comprehensionExpr",
    value: {
      $typeName: "cel.expr.Expr.Comprehension",
      iterVar: "#unused",
      iterVar2: "",
      iterRange: factory.emptyList(),
      accuVar: bind.name,
      accuInit: bind.init,
      loopCondition: factory.falseConstant(),
      loopStep: factory.ident(bind.name),
      result: bind.body,
    },
  };
}

/** Rewrites every `cel.bind(...)` of `parsed` in place and returns it. */
export function expandBindMacros(parsed: ParsedCel): ParsedCel {
  const factory = new NodeFactory(maxId(parsed.expr) + 1n);
  rewrite(parsed.expr, factory);
  return parsed;
}
