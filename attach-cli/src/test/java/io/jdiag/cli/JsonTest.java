package io.jdiag.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void readsObjectsArraysAndScalars() throws IOException {
        Map<String, Object> m = (Map<String, Object>) Json.parse(
                "{\"s\":\"x\",\"i\":3,\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,\"b\",{}],\"o\":{\"k\":\"v\"}}");
        assertThat(m.get("s")).isEqualTo("x");
        assertThat(((Number) m.get("i")).longValue()).isEqualTo(3);
        assertThat(((Number) m.get("d")).doubleValue()).isEqualTo(1.5);
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m).containsKey("n");
        assertThat(m.get("n")).isNull();
        assertThat(Json.array(m, "a")).hasSize(3);
        assertThat(Json.object(m, "o")).containsEntry("k", "v");
        assertThat(Json.object(m, "missing")).isEmpty();
        assertThat(Json.array(m, "s")).isEmpty();
        assertThat(Json.parse("[1,2]")).isEqualTo(Arrays.asList(1, 2));
    }

    @Test
    void rejectsBrokenAndTrailingInput() {
        assertThatThrownBy(() -> Json.parse("")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.parse("{} {}")).isInstanceOf(IOException.class);
    }
}
