package io.bluegreen.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that runs nothing by itself: {@link #runPeriodicTasks()} runs every live periodic task
 * once, on the caller's thread. Give it to a lock's heartbeat ({@code LeaseLock.Builder.scheduler},
 * {@code DynamoDbRouteLock.Builder.scheduler}) and decide in the test when renewals happen, together
 * with a {@link VirtualClock} for the lock's time: no thread, no wall-clock wait.
 *
 * <pre>{@code
 * ManualScheduler heartbeat = new ManualScheduler();
 * RouteLock lock = LeaseLock.builder(client).clock(clock).scheduler(heartbeat).build();
 * RouteLock.Lease lease = lock.acquire(route, "pipeline-A");
 * clock.advance(Duration.ofSeconds(10));
 * heartbeat.runPeriodicTasks();              // the renewal runs here, now
 * }</pre>
 *
 * <p>One-shot tasks ({@code schedule(..)}) are not supported; {@code execute} runs at once.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  /** A scheduled task and whether it was cancelled. */
  public static final class Task implements ScheduledFuture<Object> {
    final Runnable body;
    final long periodMillis;
    volatile boolean cancelled;

    Task(Runnable body, long periodMillis) {
      this.body = body;
      this.periodMillis = periodMillis;
    }

    /** @return the period (or fixed delay) it was scheduled with, in milliseconds */
    public long periodMillis() {
      return periodMillis;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }
  }

  private final List<Task> tasks = new ArrayList<>();
  private boolean shutdown;

  /** @return every task ever scheduled */
  public synchronized List<Task> tasks() {
    return List.copyOf(tasks);
  }

  /** @return tasks not cancelled */
  public synchronized List<Task> liveTasks() {
    return tasks.stream().filter(t -> !t.cancelled).toList();
  }

  /** Runs each live periodic task once. */
  public void runPeriodicTasks() {
    for (Task t : liveTasks()) {
      t.body.run();
    }
  }

  private synchronized Task add(Runnable r, long period) {
    Task t = new Task(r, period);
    tasks.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(command, unit.toMillis(delay));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(command, unit.toMillis(period));
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot tasks are not used");
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("one-shot tasks are not used");
  }

  @Override
  public void execute(Runnable command) {
    command.run();
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    return List.of();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }
}
