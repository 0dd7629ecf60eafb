package dev.llmrouter.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

/** The one Jackson mapper of the router: thread-safe once built, never reconfigured. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** How deep a request body's JSON may nest: a tool's JSON schema fits many times over. */
    public static final int MAX_DEPTH = 128;
    /** The most digits a number in a request body may have. */
    public static final int MAX_NUMBER_DIGITS = 100;
    /** The longest field name in a request body. */
    public static final int MAX_NAME_CHARS = 1024;

    /**
     * The reader of documents from outside (request bodies): one JSON value and nothing after it, no field
     * given twice in an object, and nesting, numbers and names within the limits above. Its failures are
     * {@link com.fasterxml.jackson.core.JacksonException}s whose location may be absent (the limits'), and, for
     * bytes in an encoding it cannot read, {@link java.io.CharConversionException}.
     */
    public static final ObjectReader STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_DIGITS)
                            .maxNameLength(MAX_NAME_CHARS)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .reader();

    private Json() {}
}
