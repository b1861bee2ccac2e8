import { memoryStore } from "keyward/memory";
import { storeConformance } from "keyward/testing";
import { describe, expect, it } from "vitest";

storeConformance({ name: "memoryStore", store: () => memoryStore(), describe, it, expect });
