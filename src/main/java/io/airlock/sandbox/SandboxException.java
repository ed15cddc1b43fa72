package io.airlock.sandbox;

/** An AWS error the emulator returns: error code, HTTP status and message. */
final class SandboxException extends RuntimeException {

    private final String code;
    private final int status;
    private final java.util.Map<String, String> details = new java.util.LinkedHashMap<>();

    SandboxException(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }

    /** Extra members of the modelled exception shape (e.g. ResourceType, Reason). */
    java.util.Map<String, String> details() {
        return details;
    }

    SandboxException with(String member, String value) {
        details.put(member, value);
        return this;
    }

    static SandboxException validation(String message) {
        return new SandboxException("ValidationException", 400, message);
    }

    static SandboxException notFound(String message) {
        return new SandboxException("ResourceNotFoundException", 400, message);
    }

    static SandboxException conflict(String message) {
        return new SandboxException("ConflictException", 400, message);
    }

    static SandboxException throttling(String message) {
        return new SandboxException("ThrottlingException", 400, message);
    }
}
