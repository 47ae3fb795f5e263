package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The arena's free list on its own (no device): first fit, merging on release, growth at the tail. */
class ArenaTest {
    @Test
    void firstFitMergesNeighboursAndGrowsAtTheTail() {
        Arena a = new Arena(128);
        assertEquals(0, a.allocate(32));
        assertEquals(32, a.allocate(32));
        assertEquals(64, a.allocate(32));
        assertEquals(96, a.allocate(32));
        assertEquals(-1, a.allocate(16), "full");
        a.release(0, 32);
        a.release(64, 32);
        assertEquals(-1, a.allocate(64), "two holes of 32 do not make 64");
        a.release(32, 32);
        assertEquals(0, a.allocate(96), "the three blocks merged into one");
        a.release(0, 96);
        a.release(96, 32);
        assertEquals(0, a.used());

        assertEquals(0, a.allocate(96));
        a.extend(256);
        assertEquals(96, a.allocate(160), "the old tail and the new one are one block");
        assertEquals(256, a.used());
        a.release(0, 96);
        assertEquals(0, a.allocate(16), "first fit: the lowest hole");
        assertEquals(16, Arena.aligned(1));
        assertEquals(16, Arena.aligned(0));
        assertEquals(32, Arena.aligned(17));
    }
}
