package io.jdiag.agent.detector.pools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.junit.jupiter.api.Test;

/** The matchers that do not name their type: checked against the library versions the agent is built with. */
class PoolInstrumentationTest {
    @Test
    void apache5sAnonymousLeaseRequestIsMatchedAndItsGetToo() throws Exception {
        Apache5LeaseRequestInstrumentation ti = new Apache5LeaseRequestInstrumentation();
        TypeDescription lease = TypeDescription.ForLoadedType.of(Class.forName(Apache5LeaseRequestInstrumentation.TYPE_5_5));
        assertThat(ti.typeMatcher().matches(lease)).isTrue();
        for (String other : new String[] {Apache5LeaseRequestInstrumentation.MANAGER, Apache5LeaseRequestInstrumentation.MANAGER + "$1"}) {
            assertThat(ti.typeMatcher().matches(TypeDescription.ForLoadedType.of(Class.forName(other)))).as(other).isFalse();
        }
        List<ElementMatcher<? super MethodDescription>> methods = new ArrayList<>();
        ti.transform((m, advice) -> methods.add(m));
        assertThat(lease.getDeclaredMethods().filter(methods.get(0)::matches)).hasSize(1);
    }

    @Test
    void aDataSourceDeclaringGetConnectionInAnAbstractBaseIsMatched() throws Exception {
        DataSourceInstrumentation ti = new DataSourceInstrumentation();
        // Commons DBCP2 is a pool of its own: left to its instrumentation
        assertThat(ti.typeMatcher().matches(TypeDescription.ForLoadedType.of(org.apache.commons.dbcp2.BasicDataSource.class))).isFalse();
        assertThat(ti.typeMatcher().matches(TypeDescription.ForLoadedType.of(BaseDataSource.class))).isTrue();
    }

    /**
     * A data source as drivers write them (PostgreSQL's {@code BaseDataSource}): getConnection in a base
     * that is only a CommonDataSource. Named as drivers name them: the matcher checks the name first.
     */
    abstract static class BaseDataSource implements javax.sql.CommonDataSource {
        public java.sql.Connection getConnection() {
            return null;
        }
    }

    abstract static class PlainDataSource extends BaseDataSource implements javax.sql.DataSource {
    }
}
