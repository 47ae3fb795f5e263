package org.stmae.video;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Walks the box tree of an MP4/MOV file held in memory before jcodec parses it, and rejects
 * files whose box sizes or table entry counts do not fit in the bytes that hold them. jcodec
 * trusts those numbers and allocates arrays of that many entries, so one flipped bit in a
 * sample table can ask for gigabytes; checking them first bounds every allocation by the file
 * size.
 */
final class Mp4Sanity {
    private Mp4Sanity() {}

    private static final Set<String> CONTAINERS = Set.of("moov", "trak", "mdia", "minf", "stbl", "edts", "dinf", "mvex", "moof", "traf",
            "udta");

    /** Returns null when the layout is plausible, else the reason. */
    static String check(byte[] b) {
        return walk(b, 0, b.length, 0);
    }

    private static String walk(byte[] b, int from, int to, int depth) {
        if (depth > 12) return "boxes nested too deeply";
        int pos = from;
        while (pos + 8 <= to) {
            long size = u32(b, pos);
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            int header = 8;
            if (size == 1) {
                if (pos + 16 > to) return "truncated box header '" + printable(type) + "'";
                size = (u32(b, pos + 8) << 32) | u32(b, pos + 12);
                header = 16;
            } else if (size == 0) {
                size = to - pos;  // extends to the end
            }
            if (size < header) return "box '" + printable(type) + "' has invalid size " + size;
            if (pos + size > to) {
                if (depth == 0 && type.equals("mdat")) return null;  // a truncated media box is found later, frame by frame
                return "box '" + printable(type) + "' of " + size + " bytes runs past the end of its parent (truncated or corrupt file)";
            }
            int start = pos + header, end = (int) (pos + size);
            String why;
            if (CONTAINERS.contains(type)) why = walk(b, start, end, depth + 1);
            else if (type.equals("meta")) why = walk(b, start + 4 <= end && u32(b, start) == 0 ? start + 4 : start, end, depth + 1);
            else if (type.equals("ilst")) why = walkItems(b, start, end, depth + 1);
            else why = table(b, type, start, end);
            if (why != null) return why;
            pos = end;
        }
        return null;
    }

    /** iTunes metadata items: every item and the boxes inside it must have sane sizes (jcodec loops forever otherwise). */
    private static String walkItems(byte[] b, int from, int to, int depth) {
        int pos = from;
        while (pos + 8 <= to) {
            long size = u32(b, pos);
            if (size < 8 || pos + size > to) return "metadata item of invalid size " + size;
            // jcodec's ilst parser spins forever unless the boxes inside an item tile it exactly
            int q = pos + 8, end = (int) (pos + size);
            while (q < end) {
                if (q + 8 > end) return "metadata item with trailing bytes";
                long child = u32(b, q);
                if (child < 8 || q + child > end) return "metadata box of invalid size " + child;
                q += (int) child;
            }
            pos = end;
        }
        return pos == to ? null : "metadata list with trailing bytes";
    }

    /** Entry counts of the sample tables against the bytes of their box. */
    private static String table(byte[] b, String type, int start, int end) {
        int payload = end - start;
        long count;
        long need;
        switch (type) {
            case "stsz" -> {
                if (payload < 12) return "truncated stsz box";
                long fixed = u32(b, start + 4);
                count = u32(b, start + 8);
                need = 12 + (fixed == 0 ? 4 * count : 0);
                if (fixed != 0 && fixed * count > b.length) return "stsz box claims " + count + " samples of " + fixed + " bytes in a " + b.length + "-byte file";
            }
            case "stco", "stss" -> {
                if (payload < 8) return "truncated " + type + " box";
                count = u32(b, start + 4);
                need = 8 + 4 * count;
            }
            case "co64", "stts", "ctts" -> {
                if (payload < 8) return "truncated " + type + " box";
                count = u32(b, start + 4);
                need = 8 + 8 * count;
            }
            case "stsc" -> {
                if (payload < 8) return "truncated stsc box";
                count = u32(b, start + 4);
                need = 8 + 12 * count;
            }
            case "elst" -> {
                if (payload < 8) return "truncated elst box";
                count = u32(b, start + 4);
                need = 8 + (b[start] == 1 ? 20 : 12) * count;
            }
            default -> {
                return null;
            }
        }
        if (need > payload) return type + " box claims " + count + " entries but holds " + payload + " bytes";
        if (type.equals("stts")) {  // total samples must fit in the file: every sample takes at least one byte
            long total = 0;
            for (long i = 0; i < count; i++) total += u32(b, (int) (start + 8 + 8 * i));
            if (total > b.length) return "stts box claims " + total + " samples in a " + b.length + "-byte file";
        }
        if (type.equals("stsc")) {
            for (long i = 0; i < count; i++) {
                long perChunk = u32(b, (int) (start + 8 + 12 * i + 4));
                if (perChunk > b.length) return "stsc box claims " + perChunk + " samples per chunk in a " + b.length + "-byte file";
            }
        }
        return null;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xffL) << 24) | ((b[p + 1] & 0xffL) << 16) | ((b[p + 2] & 0xffL) << 8) | (b[p + 3] & 0xffL);
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c >= 32 && c < 127 ? c : '?');
        return sb.toString();
    }
}
