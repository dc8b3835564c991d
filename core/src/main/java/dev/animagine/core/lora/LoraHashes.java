package dev.animagine.core.lora;

import dev.animagine.core.AnimagineException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hashes by which A1111 and sd-scripts identify an adapter: sha256 of the whole file, and the
 * "addnet" hash (sha256 of the bytes after the safetensors header, so editing metadata keeps it;
 * A1111 {@code modules/hashes.py addnet_hash_safetensors}, sd-scripts {@code sshs_model_hash})
 * whose first 12 hex digits A1111 records as {@code Lora hashes:} in the infotext.
 */
public record LoraHashes(String sha256, String addnet) {
    public String shortHash() {
        return addnet.substring(0, 12);
    }

    public static LoraHashes of(Path file, long dataStart) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest whole = newSha256(), tail = newSha256();
            byte[] buf = new byte[1 << 20];
            long pos = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                whole.update(buf, 0, n);
                int skip = (int) Math.max(0, Math.min(n, dataStart - pos));
                if (skip < n) tail.update(buf, skip, n - skip);
                pos += n;
            }
            return new LoraHashes(HexFormat.of().formatHex(whole.digest()), HexFormat.of().formatHex(tail.digest()));
        } catch (IOException e) {
            throw new AnimagineException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
