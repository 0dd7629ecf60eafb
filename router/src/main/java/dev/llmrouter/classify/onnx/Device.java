package dev.llmrouter.classify.onnx;

import java.util.Locale;

/** Where ONNX models run: {@code auto} takes a GPU when one is visible, else the CPU. */
public enum Device {
    AUTO,
    CPU,
    GPU;

    public static Device parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device: expected auto, cpu or gpu, got '" + text + "'");
        }
    }
}
