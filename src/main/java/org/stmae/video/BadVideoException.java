package org.stmae.video;

import java.nio.file.Path;

/**
 * A video file that cannot be used: unreadable, empty, not a video, corrupt, in a container or
 * codec jcodec 0.2.5 does not decode, or with too few frames. The message is always the single
 * line {@code FILE: reason}, fit to print as a warning or an error without a stack trace.
 */
public final class BadVideoException extends Exception {
    private final transient Path path;
    private final String reason;

    public BadVideoException(Path path, String reason) {
        super(path + ": " + reason, null, false, false);
        this.path = path;
        this.reason = oneLine(reason);
    }

    public BadVideoException(Path path, String reason, Throwable cause) {
        super(path + ": " + oneLine(reason), cause, false, false);
        this.path = path;
        this.reason = oneLine(reason);
    }

    public Path path() {
        return path;
    }

    /** The reason without the file name, one line. */
    public String reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return path + ": " + reason;
    }

    static String oneLine(String s) {
        if (s == null) return "unknown error";
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /** A short description of a throwable from inside jcodec: its class and message. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        String name = t.getClass().getSimpleName();
        return m == null || m.isBlank() ? name : name + ": " + oneLine(m);
    }
}
