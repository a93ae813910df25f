/* The watchdog that arms the instruction budget of calls that outlive their grace.

   A protected call of a state with a grace starts with no hook at all, so Lua runs at full speed (any count hook,
   whatever its period, makes the VM enter its hook dispatcher on every instruction). One process-wide thread
   looks at every state in a call: when a call has run for its whole grace, or the state's interrupt is raised, it
   sends the calling thread DS_ARM_SIGNAL once for that call. The handler arms the count hook on the state's main
   thread with lua_sethook, which Lua documents as safe in a signal handler (the reference interpreter stops
   scripts on Ctrl-C this way); the VM picks the hook up at its next jump, call or return, so a loop cannot escape
   it. From then on the call is metered: the budget (counted from then on), the deadline and the interrupt stop it.
   Coroutines are metered from their creation instead (coroutine.c).

   The watchdog wakes when the youngest unsignalled call's grace ends, at most DS_TICK_MAX_NS apart (so a raised
   interrupt is seen within that), and parks, using no CPU, once two looks in a row found no call to watch; the
   next call to begin wakes it.

   Safety:
   - The handler is async-signal-safe: it reads a thread-local pointer and calls lua_sethook; outside a protected
     call the pointer is NULL and it does nothing, so SQLite, Swift or any other code the signal lands in is only
     interrupted (SA_RESTART restarts the system calls that can be restarted).
   - A thread is signalled only while it is inside ds_pcall, and ds_call_end waits for a signal being sent to it,
     so the thread exists when pthread_kill runs.
   - A control block is unregistered under the watchdog's lock before it is freed. */

#include "control.h"

#include <lua5.4/lua.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

/* SIGURG: ignored by default, so a signal arriving before the handler is installed is harmless; used by nothing
   else in this process (no socket here asks for out-of-band data). */
#define DS_ARM_SIGNAL SIGURG
/* Bounds of the watchdog's sleep between two looks while calls run. */
#define DS_TICK_MIN_NS 1000000LL
#define DS_TICK_MAX_NS 10000000LL

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    ds_control *head;
    atomic_int parked; /* the watchdog waits on `wake` until a call begins */
} ds_watch = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0};

static pthread_once_t ds_watch_once = PTHREAD_ONCE_INIT;
/* Set once by ds_start_watchdog; every state reads it after its own pthread_once. Without a watchdog (the handler
   or the thread could not be set up) every call is metered from its first instruction. */
static int ds_watchdog_running = 0;

/* The call running on this thread, read by the signal handler. initial-exec: no allocation on first access. */
static _Thread_local ds_control *ds_running __attribute__((tls_model("initial-exec")));
/* Whether this thread has made sure DS_ARM_SIGNAL is not blocked. */
static _Thread_local int ds_thread_ready __attribute__((tls_model("initial-exec")));

long long ds_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Arms the thread running the call: with the normal hook once its grace is over, or with one that fires at the very
   next instruction once its deadline has passed or its interrupt is raised, so that a call whose every instruction
   is slow (a C function over a large string) stops after the one it is in. The main thread is armed too, for when
   a coroutine yields back to it. */
static void ds_on_arm_signal(int signal) {
    (void)signal;
    int saved = errno;
    ds_control *c = ds_running;
    if (c != NULL) {
        lua_State *running = atomic_load(&c->running_thread);
        if (ds_must_stop(c)) {
            ds_arm_hook_now(running);
            if (running != c->main) ds_arm_hook_now(c->main);
        } else {
            ds_arm_hook(running);
            if (running != c->main) ds_arm_hook(c->main);
        }
    }
    errno = saved;
}

static int ds_interrupt_raised(ds_control *c) {
    return atomic_load(&c->interrupt) || (c->shared_interrupt != NULL && ds_flag_is_raised(c->shared_interrupt));
}

static void ds_signal(ds_control *c, unsigned long call) {
    atomic_store(&c->signalling, 1);
    if (atomic_load(&c->call) == call) pthread_kill(c->thread, DS_ARM_SIGNAL);
    atomic_store(&c->signalling, 0);
}

/* Signals the owner of every call that has outlived its grace (or whose interrupt is raised). Returns how long to
   sleep before the next look, or 0 when no call is left to watch. */
static long long ds_watch_pass(void) {
    long long now = ds_now_ns();
    long long sleep = 0;
    for (ds_control *c = ds_watch.head; c != NULL; c = c->watch_next) {
        unsigned long call = atomic_load(&c->call);
        if ((call & 1) == 0) continue;
        long long grace = atomic_load_explicit(&c->grace_ns, memory_order_relaxed);
        long long deadline = atomic_load(&c->deadline_ns);
        int interrupted = ds_interrupt_raised(c);
        /* The grace: a call metered from its first instruction has none. */
        if (grace > 0 && call != c->signalled) {
            long long left = atomic_load(&c->started_ns) + grace - now;
            if (left > 0 && !interrupted) {
                if (sleep == 0 || left < sleep) sleep = left;
            } else {
                c->signalled = call;
                ds_signal(c, call);
            }
        }
        /* The deadline (or an interrupt): the hook must then fire at the next instruction. */
        if (call != c->deadline_signalled && (deadline > 0 || interrupted)) {
            long long left = deadline > 0 ? deadline - now : DS_TICK_MAX_NS;
            if (left > 0 && !interrupted) {
                if (sleep == 0 || left < sleep) sleep = left;
            } else {
                c->deadline_signalled = call;
                ds_signal(c, call);
            }
        }
    }
    if (sleep == 0) return 0;
    return sleep < DS_TICK_MIN_NS ? DS_TICK_MIN_NS : sleep > DS_TICK_MAX_NS ? DS_TICK_MAX_NS : sleep;
}

static void *ds_watchdog(void *unused) {
    (void)unused;
    int idle = 0;
    pthread_mutex_lock(&ds_watch.lock);
    for (;;) {
        long long sleep = ds_watch_pass();
        if (sleep == 0 && ++idle >= 2) {
            /* Park. The store to `parked` and ds_call_begin's to `call` are both sequentially consistent, so
               either the look below sees the new call or that call sees `parked` and wakes us (under the lock,
               which cond_wait releases only once it waits: no wake-up is lost). */
            atomic_store(&ds_watch.parked, 1);
            if (ds_watch_pass() == 0) {
                while (atomic_load(&ds_watch.parked)) pthread_cond_wait(&ds_watch.wake, &ds_watch.lock);
            }
            atomic_store(&ds_watch.parked, 0);
            idle = 0;
            continue;
        }
        if (sleep != 0) idle = 0;
        pthread_mutex_unlock(&ds_watch.lock);
        long long pause_ns = sleep != 0 ? sleep : DS_TICK_MAX_NS;
        struct timespec pause = {(time_t)(pause_ns / 1000000000LL), (long)(pause_ns % 1000000000LL)};
        while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
        pthread_mutex_lock(&ds_watch.lock);
    }
    return NULL;
}

/* Installs the handler and starts the watchdog, with every signal blocked so none meant for the process lands on
   it. */
static void ds_start_watchdog(void) {
    struct sigaction action = {0};
    action.sa_handler = ds_on_arm_signal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(DS_ARM_SIGNAL, &action, NULL) != 0) return;
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    if (pthread_create(&thread, &attributes, ds_watchdog, NULL) == 0) ds_watchdog_running = 1;
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
}

void ds_watch_register(ds_control *c) {
    pthread_once(&ds_watch_once, ds_start_watchdog);
    /* The handler calls lua_gethook and lua_sethook: call both once here, so the dynamic linker has bound them
       before a signal can arrive (lazy binding is best kept out of signal handlers). The state has no hook yet. */
    if (lua_gethook(c->main) == NULL) lua_sethook(c->main, NULL, 0, 0);
    pthread_mutex_lock(&ds_watch.lock);
    c->watch_previous = NULL;
    c->watch_next = ds_watch.head;
    if (ds_watch.head != NULL) ds_watch.head->watch_previous = c;
    ds_watch.head = c;
    pthread_mutex_unlock(&ds_watch.lock);
}

void ds_watch_unregister(ds_control *c) {
    pthread_mutex_lock(&ds_watch.lock);
    if (c->watch_previous != NULL) c->watch_previous->watch_next = c->watch_next;
    else ds_watch.head = c->watch_next;
    if (c->watch_next != NULL) c->watch_next->watch_previous = c->watch_previous;
    pthread_mutex_unlock(&ds_watch.lock);
}

ds_control *ds_call_begin(ds_control *c, long long now_ns) {
    if (!ds_thread_ready) {
        sigset_t arm;
        sigemptyset(&arm);
        sigaddset(&arm, DS_ARM_SIGNAL);
        pthread_sigmask(SIG_UNBLOCK, &arm, NULL);
        ds_thread_ready = 1;
    }
    if (!ds_watchdog_running || atomic_load_explicit(&c->grace_ns, memory_order_relaxed) <= 0) ds_arm_hook(c->main);
    ds_control *outer = ds_running;
    ds_running = c;
    atomic_signal_fence(memory_order_seq_cst);
    c->thread = pthread_self();
    atomic_store_explicit(&c->started_ns, now_ns, memory_order_relaxed);
    atomic_fetch_add(&c->call, 1);
    if (atomic_load(&ds_watch.parked)
        && (atomic_load_explicit(&c->grace_ns, memory_order_relaxed) > 0 || atomic_load(&c->deadline_ns) > 0)) {
        pthread_mutex_lock(&ds_watch.lock);
        atomic_store(&ds_watch.parked, 0);
        pthread_cond_signal(&ds_watch.wake);
        pthread_mutex_unlock(&ds_watch.lock);
    }
    return outer;
}

void ds_call_end(ds_control *c, ds_control *outer) {
    atomic_fetch_add(&c->call, 1);
    while (atomic_load(&c->signalling)) sched_yield();
    ds_running = outer;
    atomic_signal_fence(memory_order_seq_cst);
}
