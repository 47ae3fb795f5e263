package org.stmae.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * The safetensors format, our own reader and writer: an 8-byte little-endian header length N,
 * N bytes of JSON ({@code name -> {dtype, shape, data_offsets}} plus an optional
 * {@code __metadata__} map of strings), then the raw little-endian data. PyTorch's
 * {@code safetensors.torch.load_file} opens what we write.
 *
 * <p>Reading is lazy: {@link #open} parses and validates the header, and each tensor is read
 * when asked for, so multi-GB checkpoints never sit in one byte array. F32, F16, BF16 and F64
 * read as float tensors; I64, I32 (and I8/U8/BOOL) as int tensors.
 */
public final class Safetensors implements AutoCloseable {
    /** One entry of the header. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        public long elements() {
            return Shapes.size(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Thrown for a file that is not valid safetensors; the message names the file and the problem. */
    public static final class FormatException extends IOException {
        public FormatException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    public static Safetensors open(Path path) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IOException(path + ": cannot open (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        try {
            return parseHeader(path, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (e instanceof FormatException fe) throw fe;
            throw new FormatException(path, "not a safetensors file (" + e.getMessage() + ")");
        }
    }

    private static Safetensors parseHeader(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw new FormatException(path, "not a safetensors file (only " + size + " bytes)");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n <= 1 || n > size - 8 || n > 100_000_000)
            throw new FormatException(path, "not a safetensors file (header length " + n + " does not fit in " + size + " bytes)");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        String json = new String(hb.array(), StandardCharsets.UTF_8).trim();
        Map<String, Object> header;
        try {
            header = Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new FormatException(path, "not a safetensors file (header is not valid JSON: " + e.getMessage() + ")");
        }
        long dataStart = 8 + n, dataSize = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (e.getValue() instanceof Map<?, ?> m) for (var me : m.entrySet()) meta.put(String.valueOf(me.getKey()), String.valueOf(me.getValue()));
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> m)) throw new FormatException(path, "tensor '" + e.getKey() + "' has no description");
            Object dt = m.get("dtype"), sh = m.get("shape"), off = m.get("data_offsets");
            if (!(dt instanceof String dtype) || !(sh instanceof List<?> shl) || !(off instanceof List<?> offl) || offl.size() != 2)
                throw new FormatException(path, "tensor '" + e.getKey() + "' lacks dtype, shape or data_offsets");
            int[] shape = new int[shl.size()];
            for (int k = 0; k < shape.length; k++) shape[k] = ((Number) shl.get(k)).intValue();
            long begin = ((Number) offl.get(0)).longValue(), end = ((Number) offl.get(1)).longValue();
            int width = width(dtype);
            if (width == 0) throw new FormatException(path, "tensor '" + e.getKey() + "' has unsupported dtype " + dtype);
            if (begin < 0 || end < begin || end > dataSize)
                throw new FormatException(path, "tensor '" + e.getKey() + "' data [" + begin + ", " + end + ") lies outside the " + dataSize + " data bytes (truncated file?)");
            if (end - begin != Shapes.size(shape) * width)
                throw new FormatException(path, "tensor '" + e.getKey() + "' has " + (end - begin) + " bytes for shape " + Shapes.str(shape) + " of " + dtype);
            entries.put(e.getKey(), new Entry(e.getKey(), dtype, shape, begin, end));
        }
        return new Safetensors(path, ch, dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(meta));
    }

    private static int width(String dtype) {
        switch (dtype) {
            case "F64": case "I64": return 8;
            case "F32": case "I32": return 4;
            case "F16": case "BF16": case "I16": return 2;
            case "I8": case "U8": case "BOOL": return 1;
            default: return 0;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Names in file order (which carries no meaning: look tensors up by name). */
    public List<String> names() {
        return new ArrayList<>(entries.keySet());
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) throws FormatException {
        Entry e = entries.get(name);
        if (e == null) throw new FormatException(path, "has no tensor '" + name + "'");
        return e;
    }

    private ByteBuffer bytes(Entry e) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, b, dataStart + e.begin);
        b.flip();
        return b;
    }

    /** A floating-point tensor, converted to float32. */
    public Tensor floatTensor(String name) throws IOException {
        Entry e = entry(name);
        ByteBuffer b = bytes(e);
        float[] out = new float[(int) e.elements()];
        switch (e.dtype) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F64" -> { for (int i = 0; i < out.length; i++) out[i] = (float) b.getDouble(); }
            case "F16" -> { for (int i = 0; i < out.length; i++) out[i] = halfToFloat(b.getShort()); }
            case "BF16" -> { for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16); }
            default -> throw new FormatException(path, "tensor '" + name + "' is " + e.dtype + ", expected a float dtype");
        }
        return Tensor.of(out, e.shape);
    }

    /** An integer tensor (ids, masks), narrowed to int with a range check. */
    public IntTensor intTensor(String name) throws IOException {
        Entry e = entry(name);
        ByteBuffer b = bytes(e);
        int[] out = new int[(int) e.elements()];
        for (int i = 0; i < out.length; i++) {
            long v = switch (e.dtype) {
                case "I64" -> b.getLong();
                case "I32" -> b.getInt();
                case "I16" -> b.getShort();
                case "I8" -> b.get();
                case "U8", "BOOL" -> b.get() & 0xff;
                default -> throw new FormatException(path, "tensor '" + name + "' is " + e.dtype + ", expected an integer dtype");
            };
            if (v != (int) v) throw new FormatException(path, "tensor '" + name + "' holds " + v + ", beyond int range");
            out[i] = (int) v;
        }
        return new IntTensor(out, e.shape);
    }

    private static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0) return Float.intBitsToFloat(sign) + (sign != 0 ? -1 : 1) * mant * 0x1p-24f;
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ---- writing -----------------------------------------------------------------------------

    /** Tensors to write, in order: float32 tensors and int64 tensors, plus string metadata. */
    public static final class Writer {
        private final Map<String, Object> tensors = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer put(String name, Tensor t) {
            tensors.put(name, t);
            return this;
        }

        public Writer put(String name, IntTensor t) {
            tensors.put(name, t);
            return this;
        }

        public Writer meta(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /** Writes the file atomically ({@link AtomicFile}): a crash leaves the old file or the new one, whole. */
        public void write(Path path) throws IOException {
            Map<String, Object> header = new LinkedHashMap<>();
            if (!metadata.isEmpty()) header.put("__metadata__", metadata);
            long offset = 0;
            for (var e : tensors.entrySet()) {
                boolean isFloat = e.getValue() instanceof Tensor;
                int[] shape = isFloat ? ((Tensor) e.getValue()).shape() : ((IntTensor) e.getValue()).shape();
                long bytes = Shapes.size(shape) * (isFloat ? 4 : 8);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("dtype", isFloat ? "F32" : "I64");
                d.put("shape", shape);
                d.put("data_offsets", List.of(offset, offset + bytes));
                header.put(e.getKey(), d);
                offset += bytes;
            }
            byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
            int padded = (json.length + 7) / 8 * 8; // keep the data 8-byte aligned, padding with spaces
            AtomicFile.write(path, tmp -> writeData(tmp, json, padded));
        }

        private void writeData(Path tmp, byte[] json, int padded) throws IOException {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                head.flip();
                writeFully(ch, head);
                for (Object v : tensors.values()) {
                    if (v instanceof Tensor t) {
                        ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
                        b.asFloatBuffer().put(t.storage().read());
                        writeFully(ch, b);
                    } else {
                        IntTensor t = (IntTensor) v;
                        ByteBuffer b = ByteBuffer.allocate(t.data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                        for (int x : t.data) b.putLong(x);
                        b.flip();
                        writeFully(ch, b);
                    }
                }
            }
        }

        private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) ch.write(b);
        }
    }
}
