package ijbgcorr;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds, among ImageJ's classes, those whose static fields an engine records
 * to set ImageJ back to a freshly started state between runs.
 *
 * <p>Done in Java because it visits every class of ImageJ's jar (about 1,200):
 * from Python, one reflective call per class and field cost over a second at
 * each engine's start.
 */
public final class StaticFields {

    private StaticFields() {
    }

    /**
     * Load, with {@code loader}, each named class that declares a static field
     * that is not final, initialise it, and return them in the names' order.
     * A class that cannot be loaded (it needs a library this ImageJ lacks) is
     * left out.
     */
    public static Class<?>[] recordable(String[] names, ClassLoader loader) {
        List<Class<?>> found = new ArrayList<>();
        for (String name : names) {
            try {
                Class<?> type = Class.forName(name, false, loader);
                if (hasRecordableField(type)) {
                    found.add(Class.forName(name, true, loader));
                }
            } catch (LinkageError | ClassNotFoundException | RuntimeException skipped) {
                // a class needing what this ImageJ lacks: nothing to record
            }
        }
        return found.toArray(new Class<?>[0]);
    }

    private static boolean hasRecordableField(Class<?> type) {
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && !Modifier.isFinal(modifiers)) {
                return true;
            }
        }
        return false;
    }
}
