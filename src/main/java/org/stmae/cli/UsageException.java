package org.stmae.cli;

/** A bad flag or argument: printed as one line with a pointer to --help, exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
