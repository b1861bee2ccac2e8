import { describe, expect, it } from "vitest";
import { memoryStore } from "keyward/memory";
import { storeConformance } from "keyward/testing";

storeConformance({ name: "memoryStore", store: () => memoryStore(), describe, it, expect });
