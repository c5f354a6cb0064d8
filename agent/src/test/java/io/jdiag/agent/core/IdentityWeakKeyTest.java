package io.jdiag.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class IdentityWeakKeyTest {
    /** Equal to every other instance, as an application class may well be. */
    static final class AllEqual {
        @Override
        public boolean equals(Object o) {
            return o instanceof AllEqual;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    @Test
    void keysAreTheReferentsIdentityNotItsEquals() {
        AllEqual a = new AllEqual();
        AllEqual b = new AllEqual();
        ConcurrentHashMap<Object, String> map = new ConcurrentHashMap<>();
        map.put(new IdentityWeakKey<>(a), "a");
        map.put(new IdentityWeakKey<>(b), "b");
        assertThat(map).hasSize(2);
        assertThat(map.get(new IdentityWeakKey.Lookup(a))).isEqualTo("a");
        assertThat(map.remove(new IdentityWeakKey.Lookup(b))).isEqualTo("b");
        assertThat(map.get(new IdentityWeakKey.Lookup(new AllEqual()))).isNull();
    }

    @Test
    void aClearedKeyEqualsOnlyItselfAndKeysOfAnotherClassNever() {
        Object o = new Object();
        IdentityWeakKey<Object> key = new IdentityWeakKey<>(o);
        IdentityWeakKey<Object> other = new IdentityWeakKey<>(o) { };
        assertThat(key).isEqualTo(new IdentityWeakKey<>(o)).isNotEqualTo(other);
        key.clear();
        assertThat(key).isEqualTo(key).isNotEqualTo(new IdentityWeakKey<>(o));
    }
}
