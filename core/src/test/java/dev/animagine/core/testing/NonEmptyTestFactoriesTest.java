package dev.animagine.core.testing;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NonEmptyTestFactoriesTest {
    private static ReflectiveInvocationContext<Method> context() throws NoSuchMethodException {
        Method m = NonEmptyTestFactoriesTest.class.getDeclaredMethod("context");
        return new ReflectiveInvocationContext<>() {
            @Override public Class<?> getTargetClass() { return NonEmptyTestFactoriesTest.class; }
            @Override public Method getExecutable() { return m; }
            @Override public List<Object> getArguments() { return List.of(); }
            @Override public Optional<Object> getTarget() { return Optional.empty(); }
        };
    }

    private static <T> Invocation<T> returning(T value) {
        return () -> value;
    }

    @Test
    void aFactoryWithoutTestsFails() throws Throwable {
        NonEmptyTestFactories x = new NonEmptyTestFactories();
        assertThatThrownBy(() -> x.interceptTestFactoryMethod(returning(List.of()), context(), null))
                .isInstanceOf(AssertionError.class).hasMessageContaining("produced no test");
        assertThatThrownBy(() -> x.interceptTestFactoryMethod(returning(Stream.empty()), context(), null))
                .isInstanceOf(AssertionError.class);
        DynamicTest t = DynamicTest.dynamicTest("x", () -> {});
        Stream<DynamicTest> s = x.interceptTestFactoryMethod(returning(Stream.of(t)), context(), null);
        assertThat(s.toList()).containsExactly(t);
    }
}
