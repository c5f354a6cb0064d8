package io.jdiag.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON into plain {@code Map}/{@code List}/{@code String}/{@code Number}/{@code Boolean} values
 * with jackson-core's streaming parser: the CLI only needs a few fields of the report, which does
 * not justify jackson-databind's size and start-up time.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /** @throws IOException if {@code text} is not one complete JSON value */
    static Object parse(String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                throw new IOException("empty JSON document");
            }
            Object value = read(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON value at " + p.currentLocation());
            }
            return value;
        }
    }

    private static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getNumberValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected JSON token " + t + " at " + p.currentLocation());
        }
    }

    /** The object under {@code key}, or an empty map if absent or not an object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Collections.emptyMap();
    }

    /** The array under {@code key}, or an empty list if absent or not an array. */
    @SuppressWarnings("unchecked")
    static List<Object> array(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        return v instanceof List ? (List<Object>) v : Collections.emptyList();
    }
}
