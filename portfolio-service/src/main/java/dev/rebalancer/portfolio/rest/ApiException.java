package dev.rebalancer.portfolio.rest;

/** An answer other than success, in Alpaca's error shape {@code {"code": ..., "message": ...}}. */
public final class ApiException extends RuntimeException {

    final int status;
    final int code;

    public ApiException(int status, int code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static ApiException malformed(String message) {
        return new ApiException(400, 40010000, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, 40410000, message);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, 40910000, message);
    }

    public static ApiException unprocessable(String message) {
        return new ApiException(422, 42210000, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, 50310000, message);
    }
}
