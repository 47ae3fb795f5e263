package org.stmae.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed command-line arguments: {@code --name value}, {@code --name=value}, boolean
 * {@code --flag}, and positionals. Flag names are normalised so that {@code --mask_ratio} and
 * {@code --mask-ratio} are the same flag (mae_st spells them with underscores). Every flag a
 * command reads is remembered, so {@link #finish()} can reject unknown ones.
 */
public final class Args {
    private final Map<String, String> flags = new LinkedHashMap<>();
    private final List<String> positionals = new ArrayList<>();
    private final Set<String> read = new HashSet<>();
    private final Set<String> booleanFlags;

    /** {@code booleanFlags}: flags that take no value (normalised names). */
    public Args(String[] argv, Set<String> booleanFlags) {
        this.booleanFlags = booleanFlags;
        for (int i = 0; i < argv.length; i++) {
            String s = argv[i];
            if (s.startsWith("--") && s.length() > 2) {
                String body = s.substring(2);
                int eq = body.indexOf('=');
                if (eq >= 0) {
                    flags.put(norm(body.substring(0, eq)), body.substring(eq + 1));
                } else if (booleanFlags.contains(norm(body)) || norm(body).equals("help")) {
                    flags.put(norm(body), "true");
                } else {
                    if (i + 1 >= argv.length) throw new UsageException("flag --" + body + " needs a value");
                    flags.put(norm(body), argv[++i]);
                }
            } else {
                positionals.add(s);
            }
        }
    }

    public static Args parse(String[] argv, String... booleanFlags) {
        Set<String> b = new HashSet<>();
        for (String f : booleanFlags) b.add(norm(f));
        return new Args(argv, b);
    }

    static String norm(String name) {
        return name.replace('_', '-');
    }

    public boolean help() {
        read.add("help");
        return flags.containsKey("help");
    }

    public boolean has(String name) {
        read.add(norm(name));
        return flags.containsKey(norm(name));
    }

    public String string(String name, String dflt) {
        read.add(norm(name));
        return flags.getOrDefault(norm(name), dflt);
    }

    public String required(String name) {
        String v = string(name, null);
        if (v == null) throw new UsageException("missing required flag --" + name);
        return v;
    }

    public int integer(String name, int dflt) {
        String v = string(name, null);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("flag --" + name + " expects an integer, got '" + v + "'");
        }
    }

    public double number(String name, double dflt) {
        String v = string(name, null);
        if (v == null) return dflt;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("flag --" + name + " expects a number, got '" + v + "'");
        }
    }

    public boolean bool(String name) {
        String v = string(name, null);
        if (v == null) return false;
        if (v.equals("true") || v.equals("1")) return true;
        if (v.equals("false") || v.equals("0")) return false;
        throw new UsageException("flag --" + name + " expects true or false, got '" + v + "'");
    }

    /** Value of a flag restricted to a fixed set of choices. */
    public String choice(String name, String dflt, String... choices) {
        String v = string(name, dflt);
        for (String c : choices) if (c.equals(v)) return v;
        throw new UsageException("flag --" + name + " must be one of " + String.join("|", choices) + ", got '" + v + "'");
    }

    public List<String> positionals() {
        return positionals;
    }

    /** Fails on any flag the command never asked about (a typo must not be silently ignored). */
    public void finish() {
        for (String f : flags.keySet())
            if (!read.contains(f)) throw new UsageException("unknown flag --" + f);
    }
}
