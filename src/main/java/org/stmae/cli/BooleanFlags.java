package org.stmae.cli;

/** Implemented by a command whose flags include some that take no value. */
public interface BooleanFlags {
    String[] booleanFlags();
}
