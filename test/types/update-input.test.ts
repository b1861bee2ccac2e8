/**
 * `UpdateInput` (what a caller may change) is derived from `RecordPatch`
 * (what a store applies): the same fields, the same types, plus `undefined`;
 * only `credits` is taken as input (`{ remaining, refill? }`) and stored with
 * its refill time.
 */
import type { CreditsInput, KeyRecord, RecordPatch, UpdateInput } from "keyward";
import { describe, expectTypeOf, it } from "vitest";

describe("UpdateInput and RecordPatch", () => {
  it("name the same fields: the record fields update may change", () => {
    expectTypeOf<keyof UpdateInput>().toEqualTypeOf<keyof RecordPatch>();
    expectTypeOf<keyof RecordPatch>().toEqualTypeOf<
      "label" | "metadata" | "scopes" | "role" | "ratelimit" | "credits" | "allowedIps"
    >();
  });

  it("type each field as the record does; the input also takes undefined", () => {
    expectTypeOf<Required<RecordPatch>>().toEqualTypeOf<Required<Pick<KeyRecord, keyof RecordPatch>>>();
    expectTypeOf<UpdateInput["role"]>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<UpdateInput["scopes"]>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<UpdateInput["credits"]>().toEqualTypeOf<CreditsInput | null | undefined>();
    expectTypeOf<Omit<RecordPatch, "credits">>().toExtend<UpdateInput>();
  });
});
