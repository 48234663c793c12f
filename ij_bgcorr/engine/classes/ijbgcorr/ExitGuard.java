package ijbgcorr;

import java.security.Permission;
import java.util.function.IntConsumer;

/**
 * A security manager that refuses to end the JVM, or to be replaced, and grants
 * everything else.
 *
 * <p>The JVM an ij-bgcorr engine runs in is the Python process's own: code
 * calling {@code System.exit} (or {@code Runtime.halt}) would end it for good,
 * and Java cannot be started again in that process. Installed once per JVM, it
 * tells the listener set with {@link #onExit} the status asked for (on the
 * calling thread, so that the listener can stop a macro before it goes on),
 * then refuses with a {@link SecurityException}.
 */
public final class ExitGuard extends SecurityManager {

    private static volatile IntConsumer listener;

    /** Call {@code action} with the status of each refused exit; null: nobody. */
    public static void onExit(IntConsumer action) {
        listener = action;
    }

    @Override
    public void checkPermission(Permission permission) {
        // every permission is granted but replacing this guard: only ending the JVM is refused
        if ("setSecurityManager".equals(permission.getName())) {
            throw new SecurityException("ij-bgcorr keeps its guard against ending Java");
        }
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        checkPermission(permission);
    }

    @Override
    public void checkExit(int status) {
        IntConsumer action = listener;
        if (action != null) {
            action.accept(status);
        }
        throw new SecurityException("ij-bgcorr refused to end Java: System.exit(" + status + ")");
    }
}
