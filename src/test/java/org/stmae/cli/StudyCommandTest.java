package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** {@code stmae study}: its help and its one-line usage errors (the runner itself: study.StudyTest). */
class StudyCommandTest {
    @Test
    void helpListsTheStudiesAndTheDefaultSetup() {
        CliRun r = CliRun.of("study", "--help");
        assertEquals(0, r.rc(), r.errText());
        assertTrue(r.out().contains("pretraining") && r.out().contains("Default setup:") && r.out().contains("64 tokens"), r.out());
    }

    @Test
    void badNamesAndNumbersAreOneLineUsageErrors() {
        String[][] bad = {{"study"}, {"study", "nope"}, {"study", "ratio", "--seeds", "0,x"}, {"study", "ratio", "--pretrain_steps", "0"},
                {"study", "ratio", "--no_such_flag", "1"}};
        for (String[] argv : bad) {
            CliRun r = CliRun.of(argv);
            assertEquals(2, r.rc(), String.join(" ", argv) + ": " + r.errText());
            assertEquals(1, r.err().size(), String.join(" ", argv) + ": " + r.errText());
        }
    }
}
