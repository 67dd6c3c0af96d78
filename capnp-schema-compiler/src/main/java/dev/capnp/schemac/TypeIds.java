package dev.capnp.schemac;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The 64-bit ids the schema language gives to declarations without an explicit {@code @0x...}:
 * the first 8 bytes (big-endian) of the MD5 of the parent's id (8 bytes little-endian) followed
 * by the child's name, its group index or its method ordinal, with the top bit set.
 */
public final class TypeIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TypeIds() {}

  /**
   * A new random file id, as {@code capnp id} prints it: {@code @0x...;}.
   *
   * @return the {@code @0x...;} line for a new schema file
   */
  public static String newFileId() {
    return "@0x" + Long.toHexString(RANDOM.nextLong() | Long.MIN_VALUE) + ";";
  }

  /**
   * The id of the declaration named {@code name} nested in {@code parentId}.
   *
   * @param parentId the id of the enclosing file or declaration
   * @param name the simple name of the nested declaration
   * @return the 64-bit type id, with its top bit set
   */
  public static long childId(long parentId, String name) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] input = new byte[8 + nameBytes.length];
    putLittleEndian(input, 0, parentId, 8);
    System.arraycopy(nameBytes, 0, input, 8, nameBytes.length);
    return hash(input);
  }

  /**
   * The id of the group or named union that is field {@code index} of {@code parentId}.
   *
   * @param parentId the id of the struct that holds the group or union
   * @param index the field index (declaration order) of the group or union in the parent
   * @return the 64-bit type id, with its top bit set
   */
  public static long groupId(long parentId, int index) {
    byte[] input = new byte[10];
    putLittleEndian(input, 0, parentId, 8);
    putLittleEndian(input, 8, index, 2);
    return hash(input);
  }

  /**
   * The id of the implicit parameter or result struct of method {@code ordinal}.
   *
   * @param interfaceId the id of the interface that declares the method
   * @param ordinal the method's ordinal ({@code @N})
   * @param isResults {@code true} for the result struct, {@code false} for the parameter struct
   * @return the 64-bit type id, with its top bit set
   */
  public static long methodParamsId(long interfaceId, int ordinal, boolean isResults) {
    byte[] input = new byte[11];
    putLittleEndian(input, 0, interfaceId, 8);
    putLittleEndian(input, 8, ordinal, 2);
    input[10] = (byte) (isResults ? 1 : 0);
    return hash(input);
  }

  private static void putLittleEndian(byte[] out, int at, long value, int size) {
    for (int i = 0; i < size; i++) {
      out[at + i] = (byte) (value >>> (8 * i));
    }
  }

  private static long hash(byte[] input) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("MD5").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
    long result = 0;
    for (int i = 0; i < 8; i++) {
      result = (result << 8) | (digest[i] & 0xff);
    }
    return result | Long.MIN_VALUE;
  }
}
