// Wires a kind's defaults and validation behind its JSON shape check: a body
// with fields of the wrong type gets field errors and is never defaulted, so
// defaults and validators can rely on the declared types.
import type { ResourceType } from "../resource-type.ts";
import { checkShape } from "../schema.ts";
import type { KubeObject, StatusCause } from "../types.ts";
import { kindShapes } from "./shapes.ts";

type Admission<T extends KubeObject> = Pick<ResourceType<T>, "defaults" | "validate">;

export function admission<T extends KubeObject>(
  kind: string,
  defaults: ((obj: T) => void) | undefined,
  validate: (obj: T, old?: T) => StatusCause[],
): Admission<T> {
  const shape = kindShapes[kind];
  if (!shape) throw new Error(`no JSON shape declared for kind ${kind}`);
  return {
    defaults(obj: T): void {
      if (defaults && checkShape(obj, shape).length === 0) defaults(obj);
    },
    validate(obj: T, old?: T): StatusCause[] {
      const wrongTypes = checkShape(obj, shape);
      return wrongTypes.length ? wrongTypes : validate(obj, old);
    },
  };
}
