/*
 * firstframe: run a program and report, from the X server's point of view,
 * when its window was created, when it was mapped and when its first frame
 * was drawn. scripts/smoke-gui and scripts/startup-bench build and use it.
 *
 *   firstframe [-t SECONDS] [-a MS] -o FILE PROGRAM [ARG...]
 *
 * It starts PROGRAM as its child, writes the report to FILE, and then stays
 * until PROGRAM ends: SIGTERM, SIGINT, SIGHUP and SIGQUIT are passed on to
 * it, firstframe exits with its status, and PROGRAM dies with firstframe
 * even on SIGKILL (PR_SET_PDEATHSIG). So a shell can treat firstframe's PID
 * as the program's, and nothing is left behind.
 *
 * Why an X client and not screenshots: a screenshot with ImageMagick's
 * import takes about 0.25 s here, so polling with it overstates the time by
 * up to two screenshots, and it competes for the same two cores. This asks
 * the X server for events instead: CreateNotify and MapNotify on the root
 * window, then a DAMAGE object on the new window, so the server says the
 * moment anything is drawn there. GLFW creates its window with no
 * background (no CWBackPixel), so mapping paints nothing: the first damage
 * is the first buffer swap, the first frame actually on screen.
 *
 * The report, one "key value" a line, times in ms since the fork:
 *   pid P (the program's), create T, map T, frame T, frame_area WxH (the
 *   first damage rectangle: the whole window for a buffer swap),
 *   frame_window WxH, frame_cpu_ms C (the user+system CPU time the program
 *   had used when its first frame came), frame_rss_kb R (its VmRSS then);
 *   with -a MS also later_damage N, the damage events in the MS ms after
 *   the first frame, and last_damage T, the time of the last of them (of
 *   the first frame when there were none): a program that paints an empty
 *   window first and its content later shows it here; and a last line
 *   "done", or "error WHY" when no frame came within -t SECONDS (default
 *   30) or the program ended first.
 *
 * libXdamage ships without its header in the runtime package, so the few
 * declarations used are written here, as Xdamage.h declares them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>

typedef XID Damage;
#define XDamageReportRawRectangles 0
#define XDamageNotify 0
typedef struct {
	int type;
	unsigned long serial;
	Bool send_event;
	Display *display;
	Drawable drawable;
	Damage damage;
	int level;
	Bool more;
	Time timestamp;
	XRectangle area;
	XRectangle geometry;
} XDamageNotifyEvent;
extern Bool XDamageQueryExtension(Display *, int *, int *);
extern Damage XDamageCreate(Display *, Drawable, int);

static struct timespec t0;
static FILE *out;
static volatile pid_t child;
static int status = -1; /* the child's wait status once reaped */

static double since(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6;
}

/* cpu_ms is pid's user+system CPU time in ms; -1 if unreadable. */
static double cpu_ms(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* The command name may hold spaces and parentheses: start after the last ')'. */
	char *p = strrchr(buf, ')');
	unsigned long ut, st;
	/* From field 3 (state) on; utime and stime are fields 14 and 15. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (ut + st) * 1000.0 / sysconf(_SC_CLK_TCK);
}

/* rss_kb is pid's VmRSS; -1 if unreadable. */
static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* drawable reports whether w can be drawn in (InputOutput, still there). */
static int drawable(Display *d, Window w)
{
	XWindowAttributes a;
	return XGetWindowAttributes(d, w, &a) && a.class == InputOutput;
}

/* quiet ignores X errors: a window may be gone before it is looked at. */
static int quiet(Display *d, XErrorEvent *e)
{
	(void)d;
	(void)e;
	return 0;
}

static void pass(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* reaped reports whether the child has ended, reaping it. */
static int reaped(void)
{
	if (status >= 0)
		return 1;
	int st;
	if (waitpid(child, &st, WNOHANG) == child) {
		status = st;
		return 1;
	}
	return 0;
}

/* watch writes the report to out; see the top comment. */
static void watch(Display *d, Window root, int dmg_event, double timeout, double after)
{
	Window win = 0;
	int mapped = 0, later = 0;
	double first = 0, last = 0;
	struct pollfd pfd = {.fd = ConnectionNumber(d), .events = POLLIN};
	for (;;) {
		while (XPending(d)) {
			XEvent ev;
			XNextEvent(d, &ev);
			double t = since();
			if (ev.type == CreateNotify && !win && ev.xcreatewindow.parent == root &&
			    drawable(d, ev.xcreatewindow.window)) {
				/* The program's window: watch what is drawn in it. GLFW
				 * first makes an input-only helper window (for the
				 * clipboard); nothing is drawn there. */
				win = ev.xcreatewindow.window;
				XDamageCreate(d, win, XDamageReportRawRectangles);
				fprintf(out, "create %.1f\n", t);
			} else if (ev.type == MapNotify && win && ev.xmap.window == win && !mapped) {
				mapped = 1;
				fprintf(out, "map %.1f\n", t);
			} else if (ev.type == dmg_event + XDamageNotify &&
				   ((XDamageNotifyEvent *)&ev)->drawable == win) {
				XDamageNotifyEvent *de = (XDamageNotifyEvent *)&ev;
				if (first > 0) {
					later++;
					last = t;
					continue;
				}
				first = t;
				double c = cpu_ms(child);
				long r = rss_kb(child);
				if (!mapped)
					fprintf(out, "warning drawn before mapped\n");
				fprintf(out, "frame %.1f\nframe_area %dx%d\nframe_window %dx%d\nframe_cpu_ms %.0f\nframe_rss_kb %ld\n",
					t, de->area.width, de->area.height, de->geometry.width,
					de->geometry.height, c, r);
			}
		}
		fflush(out);
		int gone = reaped();
		if (first > 0 && (gone || since() >= first + after)) {
			if (after > 0)
				fprintf(out, "later_damage %d\nlast_damage %.1f\n", later, later ? last : first);
			fprintf(out, "done\n");
			return;
		}
		if (gone) {
			fprintf(out, "error the program ended before its first frame\n");
			return;
		}
		if (since() > timeout * 1e3) {
			fprintf(out, "error no frame within %.0f s\n", timeout);
			return;
		}
		/* Wake for X events, or every 10 ms to notice the program's end
		 * and the end of the watch. */
		poll(&pfd, 1, 10);
	}
}

int main(int argc, char **argv)
{
	double timeout = 30, after = 0;
	const char *outpath = NULL;
	int i = 1;
	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-t") == 0)
			timeout = atof(argv[i + 1]);
		else if (strcmp(argv[i], "-a") == 0)
			after = atof(argv[i + 1]);
		else if (strcmp(argv[i], "-o") == 0)
			outpath = argv[i + 1];
		else
			break;
		i += 2;
	}
	if (i >= argc || !outpath) {
		fprintf(stderr, "usage: firstframe [-t SECONDS] [-a MS] -o FILE PROGRAM [ARG...]\n");
		return 2;
	}
	out = fopen(outpath, "w");
	if (!out) {
		fprintf(stderr, "firstframe: %s: %s\n", outpath, strerror(errno));
		return 2;
	}
	Display *d = XOpenDisplay(NULL);
	if (!d) {
		fprintf(stderr, "firstframe: cannot open display %s\n",
			getenv("DISPLAY") ? getenv("DISPLAY") : "(DISPLAY is not set)");
		return 2;
	}
	int dmg_event, dmg_error;
	if (!XDamageQueryExtension(d, &dmg_event, &dmg_error)) {
		fprintf(stderr, "firstframe: the X server has no DAMAGE extension\n");
		return 2;
	}
	XSetErrorHandler(quiet);
	Window root = DefaultRootWindow(d);
	/* Listening before the program starts: no window can be missed. */
	XSelectInput(d, root, SubstructureNotifyMask);
	XSync(d, False);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	pid_t parent = getpid();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("firstframe: fork");
		return 2;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1); /* firstframe died before prctl */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(ConnectionNumber(d));
		execvp(argv[i], argv + i);
		fprintf(stderr, "firstframe: exec %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	child = pid;
	fprintf(out, "pid %d\n", (int)pid);
	watch(d, root, dmg_event, timeout, after);
	fclose(out);
	XCloseDisplay(d);

	/* Stay the program's stand-in until it ends. */
	while (status < 0) {
		int st;
		pid_t w = waitpid(child, &st, 0);
		if (w == child)
			status = st;
		else if (w < 0 && errno != EINTR)
			return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
