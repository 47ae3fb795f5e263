package org.stmae.verify;

import java.nio.file.Path;
import java.util.List;

/** The committed fixture list of {@link ReferenceParityTest}, for tests in other packages. */
public final class ReferenceParityTestAccess {
    private ReferenceParityTestAccess() {}

    public static List<Path> fixtures() throws Exception {
        return ReferenceParityTest.fixtures();
    }
}
