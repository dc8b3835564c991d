package dev.animagine.core.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fails every {@code @TestFactory} that yields no test: a fixture-driven test passing on zero cases
 * (a renamed category, an empty index, a filter that matches nothing) would otherwise go unnoticed.
 * Registered for all tests through {@code META-INF/services} and extension autodetection.
 */
public final class NonEmptyTestFactories implements InvocationInterceptor {
    @Override
    @SuppressWarnings("unchecked")
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> context,
                                            ExtensionContext extension) throws Throwable {
        T result = invocation.proceed();
        String name = context.getExecutable().getDeclaringClass().getSimpleName() + "." + context.getExecutable().getName();
        List<Object> items = new ArrayList<>();
        switch (result) {
            case Stream<?> s -> s.forEach(items::add);
            case Collection<?> c -> items.addAll(c);
            case Iterable<?> it -> it.forEach(items::add);
            case Iterator<?> it -> it.forEachRemaining(items::add);
            case Object[] a -> items.addAll(List.of(a));
            case null, default -> {
                return result;
            }
        }
        if (items.isEmpty()) throw new AssertionError(name + " produced no test: its fixture cases are missing or filtered away");
        if (result instanceof Stream<?>) return (T) items.stream();
        if (result instanceof Iterator<?>) return (T) items.iterator();
        return result;
    }
}
