#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Judge the TAP stream of tests/qemu's xenshm-test in a QEMU console log.

Usage: tap-verdict.py [--label TEXT] [--summary FILE] [--tap FILE]
                      [--run-status N] CONSOLE_LOG
       tap-verdict.py --self-test

The guest's serial console carries the test program's TAP (version 13, as
tests/qemu/harness.h describes it) mixed with everything else: \\r\\n line
ends, kernel messages ("[    6.652327] xenshm: ...") between the lines and,
when printk lands while the tty is still sending a line, in the middle of
one, and the guest script's own lines. This script takes the kernel lines
out (rejoining a line a kernel message cut in two), cuts the TAP stream from
its "TAP version" line on, and passes the run only when:

  - there is exactly one stream, with exactly one plan "1..N", N >= 1,
    before the first result;
  - there are exactly N results, numbered 1..N in order (fewer means the
    run stopped: a kernel crash, a timeout, the program died);
  - no result is "not ok" and there is no "Bail out!";
  - the "# Totals:" line, when there is one, agrees with the results;
  - --run-status (the exit status of the run that wrote the log, e.g.
    scripts/qemu-run.sh's) is 0 when given.

"ok N - name # SKIP reason" counts as skipped, not failed. Other lines (the
guest script's, diagnostics "# ...") are kept in --tap but not judged.

Prints the failed cases with their diagnostics, then one line
  [LABEL: ]P passed, F failed, S skipped (plan N)
and, on failure, "FAIL: <why>" lines. --summary writes the same counts to
FILE, prefixed with "FAILED: " and followed by the reasons when the run
failed (the format of scripts/kunit/run.sh's summary.txt, read by
mk/test-qemu.mk's test-qemu). --tap writes the cleaned TAP stream.
Exit status: 0 pass, 1 fail, 2 usage.
"""
import argparse
import re
import sys

# A printk line on the console: "[    6.652327] " (CONFIG_PRINTK_TIME, as in
# Debian's kernels: seconds, a dot, six digits), possibly followed by a
# caller id "[    T1] ".
KMSG = re.compile(r'\[\s*\d+\.\d{6}\]')
HEADER = re.compile(r'^(TAP version 13|KTAP version 1)$')
PLAN = re.compile(r'^1\.\.(\d+)\s*(#.*)?$')
RESULT = re.compile(r'^(not )?ok (\d+)\b(?: - )?\s*(.*)$')
SKIP = re.compile(r'(?:^|\s)#\s*SKIP\b\s*(.*)$', re.IGNORECASE)
BAIL = re.compile(r'^Bail out!\s*(.*)$')
TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) '
                    r'skip:(\d+) error:(\d+)')
RUN = re.compile(r'^# RUN (\S+)')


def user_lines(text):
    """The console's lines without \\r and without kernel messages.

    A kernel message that starts inside a line ("ok 5 - na[  6.1] xenshm:
    ...", the rest "me" on the next line) was printed while the tty was
    sending that line: the part before it is kept and joined to the next
    line that is not the kernel's."""
    out, pending = [], ''
    for line in text.replace('\r', '').split('\n'):
        m = KMSG.search(line)
        if m is None:
            out.append(pending + line)
            pending = ''
        elif m.start() > 0:
            pending += line[:m.start()]
    if pending:
        out.append(pending)
    return out


class Verdict:
    def __init__(self):
        self.plan = None
        self.passed = self.failed = self.skipped = 0
        self.results = 0
        self.problems = []
        self.failures = []      # (result line, its diagnostics)
        self.tap = []

    def counts(self):
        plan = 'no plan' if self.plan is None else 'plan %d' % self.plan
        return '%d passed, %d failed, %d skipped (%s)' % (
            self.passed, self.failed, self.skipped, plan)

    @property
    def ok(self):
        return not self.problems


def judge(text, run_status=None):
    v = Verdict()
    lines = user_lines(text)
    starts = [i for i, l in enumerate(lines) if HEADER.match(l)]
    if not starts:
        v.problems.append('no TAP stream in the log ("TAP version 13" never '
                          'printed: the test program did not start)')
    elif len(starts) > 1:
        v.problems.append('%d TAP streams in the log, expected one '
                          '(the test program ran more than once?)' % len(starts))
    diags, running, totals, bailed = [], None, None, False
    for line in lines[starts[0]:] if starts else []:
        if HEADER.match(line):
            v.tap.append(line)
            continue
        m = PLAN.match(line)
        if m:
            v.tap.append(line)
            if v.plan is not None:
                v.problems.append('a second plan "%s"' % line)
            elif v.results:
                v.problems.append('the plan "%s" comes after %d results; '
                                  'it must come first' % (line, v.results))
            v.plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            v.tap.append(line)
            v.results += 1
            num, rest = int(m.group(2)), m.group(3)
            if num != v.results:
                v.problems.append('result %d is numbered %d: "%s"'
                                  % (v.results, num, line))
            skip = SKIP.search(rest)
            if m.group(1):
                v.failed += 1
                v.failures.append((line, diags))
            elif skip:
                v.skipped += 1
            else:
                v.passed += 1
            diags, running = [], None
            continue
        m = BAIL.match(line)
        if m:
            v.tap.append(line)
            v.problems.append('bail out: %s' % (m.group(1) or '(no reason)'))
            bailed = True
            continue
        if line.startswith('#'):
            v.tap.append(line)
            diags.append(line)
            m = RUN.match(line)
            if m:
                running = m.group(1)
            m = TOTALS.match(line)
            if m:
                totals = [int(x) for x in m.groups()]
            continue
        # Not TAP: the guest script's lines after the program ended.
    if starts and v.plan is None and not bailed:
        v.problems.append('no plan line "1..N" in the TAP stream')
    elif v.plan == 0:
        v.problems.append('the plan is empty (1..0): nothing ran')
    elif v.plan is not None and v.results < v.plan:
        during = (' during "%s"' % running) if running else ''
        v.problems.append(
            'only %d of %d planned results: the run stopped%s after result %d '
            '(a kernel crash, a timeout or the test program died)'
            % (v.results, v.plan, during, v.results))
    elif v.plan is not None and v.results > v.plan:
        v.problems.append('%d results for a plan of %d' % (v.results, v.plan))
    if v.failed:
        v.problems.append('%d case%s not ok' % (v.failed, '' if v.failed == 1 else 's'))
    if totals is not None:
        want = [v.passed, v.failed, 0, 0, v.skipped, 0]
        if totals != want:
            v.problems.append('"# Totals:" says pass:%d fail:%d xfail:%d xpass:%d '
                              'skip:%d error:%d, the results pass:%d fail:%d skip:%d'
                              % tuple(totals + [v.passed, v.failed, v.skipped]))
    if run_status:
        v.problems.append('the run that wrote the log failed (exit status %d; '
                          'its messages say why)' % run_status)
    return v


def report(v, label, out=sys.stdout):
    for line, diags in v.failures:
        print(line, file=out)
        for d in diags:
            print('    ' + d, file=out)
    print('%s%s' % (label + ': ' if label else '', v.counts()), file=out)
    for p in v.problems:
        print('FAIL: ' + p, file=out)


def summary_line(v):
    if v.ok:
        return v.counts()
    return 'FAILED: %s: %s' % (v.counts(), '; '.join(v.problems))


# ---- self-test -----------------------------------------------------------

def _log(body, crlf=True):
    """A console log around a TAP body, as the guest prints it."""
    lines = ['[    0.000000] Linux version 6.1.0-57-amd64',
             'xenshm-init: start', 'guest: 6.1.0-57-amd64 x86_64, 2 CPUs',
             '[    5.978193] xenshm: loaded, version 0.1.0'] + body + [
             'guest: tools smoke', 'xenshm-init: exit=0', 'xenshm-init: done',
             '[   51.715135] reboot: Power down', '']
    return ('\r\n' if crlf else '\n').join(lines)


def _tap(n, fail=(), skip=(), stop=None, totals=True):
    out = ['TAP version 13', '1..%d' % n]
    p = f = s = 0
    for i in range(1, (stop if stop is not None else n) + 1):
        out.append('# RUN case_%d' % i)
        if i in fail:
            out.append('# cases_x.c:%d: check failed: broken' % i)
            out.append('not ok %d - case_%d' % (i, i))
            f += 1
        elif i in skip:
            out.append('ok %d - case_%d # SKIP not here' % (i, i))
            s += 1
        else:
            out.append('ok %d - case_%d' % (i, i))
            p += 1
    if stop is not None:
        out.append('# RUN case_%d' % (stop + 1))    # and then the crash
    else:
        out.append('# total 45.3 s')
        if totals:
            out.append('# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0'
                       % (p, f, s))
    return out


def self_test():
    cases = []

    def case(name, text, want_ok, want_counts=None, want_problem=None, run_status=None):
        cases.append((name, text, want_ok, want_counts, want_problem, run_status))

    case('good', _log(_tap(129)), True, '129 passed, 0 failed, 0 skipped (plan 129)')
    case('good, \\n only', _log(_tap(3), crlf=False), True,
         '3 passed, 0 failed, 0 skipped (plan 3)')
    case('skip', _log(_tap(5, skip={2})), True, '4 passed, 0 failed, 1 skipped (plan 5)')
    case('skip, kselftest style', _log(['TAP version 13', '1..2', 'ok 1 - a', 'ok 2 # SKIP x']),
         True, '1 passed, 0 failed, 1 skipped (plan 2)')
    case('failing', _log(_tap(129, fail={7})), False,
         '128 passed, 1 failed, 0 skipped (plan 129)', '1 case not ok')
    case('truncated (crash)', _log(_tap(129, stop=60)), False,
         '60 passed, 0 failed, 0 skipped (plan 129)',
         'only 60 of 129 planned results: the run stopped during "case_61" after result 60')
    body = _tap(129, stop=60)
    body += ['[   12.000000] Oops: 0000 [#1] PREEMPT SMP',
             '[   12.000001] Kernel panic - not syncing: Fatal exception']
    case('kernel panic mid-run', '\r\n'.join(body), False, None,
         'only 60 of 129 planned results: the run stopped during "case_61"')
    # Kernel messages between lines and inside one; \r doubled.
    body = _tap(4)
    body[body.index('ok 2 - case_2')] = 'ok 2 - ca[    6.652327] xenshm: loop0-a: connect failed: -110'
    body.insert(body.index('# RUN case_3'), 'se_2')
    body.insert(3, '[    6.691158] xenshm: loop0-a: peer dom0 is not the pinned dom5')
    body[1] = body[1] + '\r'
    case('interleaved', _log(body), True, '4 passed, 0 failed, 0 skipped (plan 4)')
    # A message cut at the very end of a result line (only "\r\n" left).
    body = _tap(2)
    body[body.index('ok 1 - case_1')] = 'ok 1 - case_1[    7.100000] xenshm: unloaded'
    body.insert(body.index('# RUN case_2'), '')
    case('interleaved at line end', _log(body), True, '2 passed, 0 failed, 0 skipped (plan 2)')
    case('no stream', _log(['guest: insmod failed']), False, None, 'no TAP stream')
    case('no plan', _log([l for l in _tap(3) if not l.startswith('1..')]), False,
         None, 'no plan line')
    body = _tap(3)
    body.append(body.pop(1))
    case('plan at the end', _log(body), False, None, 'it must come first')
    case('empty plan', _log(['TAP version 13', '1..0']), False, None, 'the plan is empty')
    bail = ['TAP version 13', "Bail out! no case name contains any of: 'x'"]
    case('bail out', _log(bail), False, None, 'bail out: no case name')
    case('bail out after results', _log(_tap(3, stop=2)[:-1] + ['Bail out! gone']),
         False, None, 'bail out: gone')
    body = _tap(3)
    body[body.index('ok 2 - case_2')] = 'ok 3 - case_2'
    case('misnumbered', _log(body), False, None, 'result 2 is numbered 3')
    body = _tap(3)
    body.insert(body.index('# total 45.3 s'), 'ok 4 - extra')
    case('too many', _log(body), False, None, '4 results for a plan of 3')
    case('two streams', _log(_tap(2) + _tap(2)), False, None, '2 TAP streams')
    body = _tap(3, totals=False) + ['# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0']
    case('totals disagree', _log(body), False, None, '"# Totals:" says pass:2')
    case('run failed', _log(_tap(3)), False, '3 passed, 0 failed, 0 skipped (plan 3)',
         'the run that wrote the log failed (exit status 1', run_status=1)
    case('guest lines after the stream', _log(_tap(2) + ['loop0-a: ok 3 - idle', 'ok']),
         True, '2 passed, 0 failed, 0 skipped (plan 2)')

    bad = 0
    for name, text, want_ok, want_counts, want_problem, run_status in cases:
        v = judge(text, run_status)
        why = []
        if v.ok != want_ok:
            why.append('verdict %s, expected %s' % ('pass' if v.ok else 'fail',
                                                     'pass' if want_ok else 'fail'))
        if want_counts and v.counts() != want_counts:
            why.append('counts "%s", expected "%s"' % (v.counts(), want_counts))
        if want_problem and not any(want_problem in p for p in v.problems):
            why.append('no problem containing "%s"' % want_problem)
        if why:
            bad += 1
            print('self-test %s: %s; problems: %s' % (name, ', '.join(why), v.problems))
    print('tap-verdict.py self-test: %d cases, %s' % (len(cases), 'FAILED' if bad else 'ok'))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('log', nargs='?', help='the console log')
    ap.add_argument('--label', default='', help='prefix of the counts line')
    ap.add_argument('--summary', help='write the one-line summary here')
    ap.add_argument('--tap', help='write the cleaned TAP stream here')
    ap.add_argument('--run-status', type=int, default=None,
                    help='exit status of the run that wrote the log; non-zero fails')
    ap.add_argument('--self-test', action='store_true', help='check this script')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.log:
        ap.print_usage(sys.stderr)
        return 2
    try:
        with open(args.log, 'rb') as f:
            text = f.read().decode('utf-8', errors='replace')
    except OSError as e:
        text = ''
        print('tap-verdict.py: %s' % e, file=sys.stderr)
    v = judge(text, args.run_status)
    report(v, args.label)
    if args.summary:
        with open(args.summary, 'w') as f:
            f.write(summary_line(v) + '\n')
    if args.tap:
        with open(args.tap, 'w') as f:
            f.write('\n'.join(v.tap) + ('\n' if v.tap else ''))
    return 0 if v.ok else 1


if __name__ == '__main__':
    sys.exit(main())
