package org.stmae.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Recycled arrays look fresh, are not handed out twice, and a tensor kept past its step fails loudly. */
class WorkspaceTest {
    static final int N = Workspace.MIN_FLOATS * 2;

    @Test
    void arraysComeBackZeroedInTheNextScope() {
        Workspace ws = new Workspace();
        float[] first, second;
        try (var s = ws.open()) {
            first = Tensor.zeros(N).data();
            second = Tensor.zeros(N).data(); // same size, same scope: a different array
            assertNotSame(first, second);
            java.util.Arrays.fill(first, 7f);
            java.util.Arrays.fill(second, 7f);
        }
        assertEquals(2L * N, ws.pooledFloats());
        try (var s = ws.open()) {
            Tensor t = Tensor.zeros(2, N / 2);
            assertTrue(t.data() == first || t.data() == second, "a pooled array is reused");
            for (float v : t.data()) assertEquals(0f, v);
            assertEquals(N, ws.pooledFloats());
        }
    }

    @Test
    void aTensorUsedAfterItsScopeThrows() {
        Workspace ws = new Workspace();
        Tensor kept, reshaped;
        try (var s = ws.open()) {
            kept = Tensor.zeros(N);
            kept.data()[0] = 1f;
            reshaped = kept.reshape(2, N / 2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, kept::data);
        assertTrue(e.getMessage().contains("workspace"), e.getMessage());
        assertThrows(IllegalStateException.class, reshaped::item);
    }

    @Test
    void outsideTheScopeSmallOrOtherThreadsTensorsAreUntouched() throws Exception {
        Workspace ws = new Workspace();
        Tensor before = Tensor.zeros(N);
        Tensor small;
        AtomicReference<Tensor> fromOtherThread = new AtomicReference<>();
        try (var s = ws.open()) {
            small = Tensor.zeros(Workspace.MIN_FLOATS - 1);
            small.data()[0] = 3f;
            before.data()[0] = 4f;
            Thread t = new Thread(() -> {
                Tensor x = Tensor.zeros(N);
                x.data()[1] = 5f;
                fromOtherThread.set(x);
            });
            t.start();
            t.join();
        }
        assertEquals(0L, ws.pooledFloats());
        assertEquals(3f, small.data()[0]);
        assertEquals(4f, before.data()[0]);
        assertEquals(5f, fromOtherThread.get().data()[1]);
        Tensor after = Tensor.zeros(N); // no scope open now: a plain array
        assertEquals(0f, after.data()[0]);
    }

    @Test
    void pastTheCapArraysAreLeftToTheCollector() {
        Workspace ws = new Workspace(N + N / 2);
        Tensor plain;
        try (var s = ws.open()) {
            Tensor.zeros(N).data();
            plain = Tensor.zeros(N);
            plain.data()[0] = 2f;
        }
        assertEquals(N, ws.pooledFloats());
        assertEquals(2f, plain.data()[0], "not lent, so not taken back");
        try (var s = ws.open()) { // other shapes: the pool (N) and this scope's arrays stay within the cap
            Tensor.zeros(N / 2).data();
            Tensor.zeros(N / 2).data();
        }
        assertEquals(N / 2, ws.pooledFloats(), "the unused N-array was dropped, one N/2-array pooled");
    }

    @Test
    void aTensorFirstTouchedAfterItsScopeIsNeverLent() {
        Workspace ws = new Workspace();
        Tensor untouched;
        try (var s = ws.open()) {
            untouched = Tensor.zeros(N); // no array yet
        }
        untouched.data()[0] = 6f; // zeros until now, and a plain array from here on
        try (var s = ws.open()) {
            Tensor.zeros(N).data();
        }
        assertEquals(6f, untouched.data()[0], "not taken back by a later scope");
        assertEquals(N, ws.pooledFloats());
    }

    @Test
    void scopesDoNotNest() {
        Workspace ws = new Workspace();
        try (var s = ws.open()) {
            assertThrows(IllegalStateException.class, ws::open);
            assertThrows(IllegalStateException.class, () -> new Workspace().open());
        }
        try (var s = ws.open()) { // the failed opens left nothing behind
            assertNotNull(s);
        }
    }
}
