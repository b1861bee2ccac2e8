/**
 * `UpdateInput` (what a caller may change) is derived from `RecordPatch`
 * (what a store applies): the same fields, the same types, plus `undefined`.
 */
import type { KeyRecord, RecordPatch, UpdateInput } from "keyward";
import { describe, expectTypeOf, it } from "vitest";

describe("UpdateInput and RecordPatch", () => {
  it("name the same fields: the record fields update may change", () => {
    expectTypeOf<keyof UpdateInput>().toEqualTypeOf<keyof RecordPatch>();
    expectTypeOf<keyof RecordPatch>().toEqualTypeOf<"label" | "metadata" | "scopes" | "role">();
  });

  it("type each field as the record does; the input also takes undefined", () => {
    expectTypeOf<Required<RecordPatch>>().toEqualTypeOf<Pick<KeyRecord, keyof RecordPatch>>();
    expectTypeOf<UpdateInput["role"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<UpdateInput["scopes"]>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<RecordPatch>().toExtend<UpdateInput>();
  });
});
