package org.roadoflife.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Runs Neo4j Community embedded with its Bolt connector (Neo4j's documented "embedded with Bolt" set-up).
 *
 * Usage: Launcher HOME_DIR CONFIG_FILE
 * All settings (Bolt address, memory, timeouts) come from CONFIG_FILE, written by `navigator neo4j start`.
 * SIGTERM/SIGINT shut the database down cleanly before the JVM exits.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher HOME_DIR CONFIG_FILE");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path config = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home);
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(config)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("neo4j-launcher: shutting down");
            service.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));
        System.out.println("neo4j-launcher: started");
        System.out.flush();
        stopped.await();
    }
}
