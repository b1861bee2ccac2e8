import { ChangeFanout, type ChangeListener } from "keyward";
import { describe, expect, it } from "vitest";

/** A listener that writes what it hears into `log`, tagged with `name`. */
function recorder(log: string[], name: string): ChangeListener {
  return {
    onChange: (id) => log.push(`${name}:change:${id}`),
    onReset: () => log.push(`${name}:reset`),
    onDown: () => log.push(`${name}:down`),
  };
}

describe("ChangeFanout: one fan-out for every store's change feed", () => {
  it("tells every listener every event, in the order they were added", () => {
    const log: string[] = [];
    const fanout = new ChangeFanout();
    fanout.add(recorder(log, "a"));
    fanout.add(recorder(log, "b"));
    fanout.onChange("id-1");
    fanout.onReset();
    fanout.onDown();
    expect(log).toEqual(["a:change:id-1", "b:change:id-1", "a:reset", "b:reset", "a:down", "b:down"]);
    expect(fanout.size).toBe(2);
  });

  it("add returns the remover; removing twice is harmless; adding the same listener twice counts once", () => {
    const log: string[] = [];
    const fanout = new ChangeFanout();
    const a = recorder(log, "a");
    const remove = fanout.add(a);
    fanout.add(a);
    expect(fanout.size).toBe(1);
    fanout.onChange("x");
    remove();
    remove();
    fanout.onChange("y");
    expect(log).toEqual(["a:change:x"]);
    expect(fanout.size).toBe(0);
  });

  it("a listener that throws never stops the others; its error goes to onError", () => {
    const log: string[] = [];
    const errors: unknown[] = [];
    const fanout = new ChangeFanout({ onError: (e) => errors.push(e) });
    const boom = new Error("listener failed");
    fanout.add({
      onChange: () => {
        throw boom;
      },
      onReset: () => {
        throw boom;
      },
      onDown: () => {
        throw boom;
      },
    });
    fanout.add(recorder(log, "b"));
    fanout.onChange("id");
    fanout.onReset();
    fanout.onDown();
    expect(log).toEqual(["b:change:id", "b:reset", "b:down"]);
    expect(errors).toEqual([boom, boom, boom]);
  });

  it("an onError that throws does not stop the fan-out either", () => {
    const log: string[] = [];
    const fanout = new ChangeFanout({
      onError: () => {
        throw new Error("reporter failed");
      },
    });
    fanout.add({
      ...recorder(log, "b"),
      onChange: () => {
        throw new Error("sync");
      },
    });
    fanout.add(recorder(log, "c"));
    expect(() => fanout.onChange("id")).not.toThrow();
    expect(log).toEqual(["c:change:id"]);
  });

  it("a listener without onDown (untyped code) is reset when the feed goes down", () => {
    const log: string[] = [];
    const fanout = new ChangeFanout();
    const { onDown: _, ...legacy } = recorder(log, "old");
    fanout.add(legacy as ChangeListener);
    fanout.onDown();
    expect(log).toEqual(["old:reset"]);
  });

  it("a listener added or removed while an event is told does not change who hears that event", () => {
    const log: string[] = [];
    const fanout = new ChangeFanout();
    const late = recorder(log, "late");
    let removeB: () => void = () => {};
    fanout.add({ ...recorder(log, "a"), onChange: (id) => (log.push(`a:change:${id}`), fanout.add(late), removeB()) });
    removeB = fanout.add(recorder(log, "b"));
    fanout.onChange("1");
    fanout.onChange("2");
    expect(log).toEqual(["a:change:1", "b:change:1", "a:change:2", "late:change:2"]);
  });

  it("refuses a listener without onChange or onReset", () => {
    const fanout = new ChangeFanout();
    for (const bad of [null, undefined, {}, { onChange: () => {} }, { onReset: () => {} }, { onChange: 1, onReset: () => {} }]) {
      expect(() => fanout.add(bad as unknown as ChangeListener)).toThrow(TypeError);
    }
    expect(fanout.size).toBe(0);
  });
});
