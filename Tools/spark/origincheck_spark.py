#!/usr/bin/env python3
"""OriginCheck on Apache Spark: one summary of many capture files (or flow logs), analysed on the
executors.

Each input file is summarised by `origincheck analyze --format json` on an executor; the
summaries of one partition are merged there by `origincheck merge`, the partitions' summaries are
collected, and one final `origincheck merge` on the driver renders the report. All counting and
merging is origincheck's own (docs/summary.md, "Merging"): this job only moves files and summaries.

Inputs:
  - a plain path (file, directory, glob) is listed on the driver and opened by path on the
    executors, so on a cluster it must be on a filesystem every node mounts at the same place;
  - a URI (file://, hdfs://, s3a://, gs://, abfss://, ...) is listed with Spark's Hadoop FileSystem
    and read by Spark (binaryFiles); each file's bytes are streamed to `origincheck analyze -`.
    A streamed file is held in executor memory while it is analysed: keep such files under about
    1 GB (split larger captures with `editcap -c` or `tcpdump -C`).
Directories are listed recursively; names starting with `.` or `_` are skipped, as Hadoop does.

The origincheck binary and the databases are shipped to the executors with SparkContext.addFile
(or give them with spark-submit --files and name them by file name, or use --no-ship when the
paths exist on every node). docs/spark.md describes running on a cluster and the cost model.

Exit status follows origincheck's: 0 success; 1 a claim did not hold (--fail-unless-holds);
64 bad usage; 65 some input damaged or unreadable (the report counts what was read); 66 no input
readable; 70 internal error; 73 the output cannot be written.
"""

import argparse
import glob
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse

PREFIX = "origincheck-spark"
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_SOFTWARE = 64, 65, 66, 70


class JobError(Exception):
  """An error that ends the job: one line, and an exit status."""

  def __init__(self, message, status):
    super().__init__(message)
    self.status = status


def error_line(text):
  sys.stderr.write(text.rstrip("\n") + "\n")
  sys.stderr.flush()


def parse_arguments(argv):
  p = argparse.ArgumentParser(
    prog="origincheck_spark.py",
    description="Summarise capture files on Apache Spark with origincheck analyze and merge.",
    epilog="Paths are opened by path on the executors; URIs (file://, hdfs://, s3a://, ...) are read "
    "by Spark and streamed to origincheck. See docs/spark.md.")
  p.add_argument("inputs", nargs="+", metavar="INPUT", help="capture file, directory, glob or URI")
  p.add_argument("--origincheck", default=None, metavar="PATH",
                 help="the origincheck binary (default: origincheck on PATH); shipped to the executors")
  p.add_argument("--db", metavar="PATH", help="country or city MMDB (default: origincheck's default database)")
  p.add_argument("--asn-db", metavar="PATH", help="ASN MMDB")
  p.add_argument("--areas", metavar="PATH", help="custom areas file (JSON)")
  p.add_argument("--no-ship", action="store_true",
                 help="the binary and database paths exist on every node: use them there, do not ship them")
  p.add_argument("--claim", action="append", default=[], metavar="CLAIM", help="ORIGIN:ASSERTION[:METRIC]; repeatable")
  p.add_argument("--bucket", metavar="DURATION", help="count origins per time bucket (30s, 5m, 1h) and find bursts")
  p.add_argument("--window", metavar="START/END", help="also evaluate claims within this window")
  p.add_argument("--target", action="append", default=[], metavar="CIDR", help="only traffic toward this network; repeatable")
  p.add_argument("--baseline", action="append", default=[], metavar="FILE",
                 help="a capture of normal traffic for the claims' lift, read by every analyze run; repeatable")
  p.add_argument("--input-format", metavar="FORMAT", help="read every input as this format (analyze --input-format)")
  p.add_argument("--columns", metavar="MAPPING", help="CSV flow-log columns (analyze --columns)")
  p.add_argument("--exact-sources", type=int, metavar="N", help="distinct sources tracked one by one per file")
  p.add_argument("--analyze-threads", type=int, default=1, metavar="N",
                 help="threads of each analyze run (default 1: Spark runs one task per executor core)")
  p.add_argument("--format", default="table", choices=["table", "json", "csv", "markdown", "html"])
  p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: standard output)")
  p.add_argument("--by", choices=["country", "continent", "asn"], help="group origins by this dimension")
  p.add_argument("--top", type=int, metavar="N", help="rows before the rest is folded into one")
  p.add_argument("--metric", choices=["sources", "packets", "bytes", "flows"], help="metric of the HTML map and charts")
  p.add_argument("--fail-unless-holds", action="store_true", help="exit 1 when any claim does not hold")
  p.add_argument("--partitions", type=int, metavar="P",
                 help="partitions the files are spread over (default: Spark's default parallelism)")
  p.add_argument("--batch", type=int, default=32, metavar="N",
                 help="path inputs one analyze run reads, and summaries one merge run joins (default 32)")
  p.add_argument("--master", metavar="URL", help="Spark master when not run by spark-submit (default local[*])")
  p.add_argument("--stats", metavar="FILE",
                 help="write the job's timings as JSON (files, bytes, analyze and merge seconds, wall time)")
  p.add_argument("--spark-log-level", default="ERROR", metavar="LEVEL", help="Spark's log level (default ERROR)")
  try:
    args = p.parse_args(argv)
  except SystemExit as e:
    raise SystemExit(EX_USAGE if e.code not in (0, None) else 0)
  for name, value in (("--partitions", args.partitions), ("--batch", args.batch),
                      ("--analyze-threads", args.analyze_threads), ("--top", args.top)):
    if value is not None and value < 1:
      raise JobError(f"{name} must be at least 1", EX_USAGE)
  if args.batch < 2:
    raise JobError("--batch must be at least 2", EX_USAGE)
  if args.by == "asn" and not args.asn_db:
    raise JobError("--by asn needs --asn-db", EX_USAGE)
  if args.fail_unless_holds and not args.claim:
    raise JobError("--fail-unless-holds needs at least one --claim", EX_USAGE)
  return args


def has_scheme(text):
  """Whether an input is a URI (read by Spark) rather than a path (opened by origincheck)."""
  scheme = urlparse(text).scheme
  return len(scheme) > 1 and "://" in text


def is_glob(text):
  return any(c in text for c in "*?[")


def hidden(name):
  return name.startswith(".") or name.startswith("_")


def list_path(arg):
  """The files a path names: itself, a directory's files (recursively, sorted), or a glob's matches.
  A path that does not exist is kept, so origincheck reports it as unreadable."""
  if is_glob(arg):
    matches = sorted(m for m in glob.glob(arg, recursive=True) if os.path.isfile(m))
    if not matches:
      raise FileNotFoundError(f"{arg}: no file matches")
    return [(os.path.abspath(m), os.path.getsize(m)) for m in matches]
  if os.path.isdir(arg):
    out = []
    for root, dirs, names in os.walk(arg):
      dirs[:] = sorted(d for d in dirs if not hidden(d))
      for n in sorted(names):
        full = os.path.join(root, n)
        if not hidden(n) and os.path.isfile(full):
          out.append((os.path.abspath(full), os.path.getsize(full)))
    return out
  size = os.path.getsize(arg) if os.path.isfile(arg) else 0
  return [(os.path.abspath(arg), size)]


def list_uri(sc, uri):
  """The files a URI names, listed by Spark's Hadoop FileSystem: a file, a directory (recursively)
  or a glob."""
  jvm = sc._jvm
  conf = sc._jsc.hadoopConfiguration()
  path = jvm.org.apache.hadoop.fs.Path(uri)
  fs = path.getFileSystem(conf)
  statuses = fs.globStatus(path)
  if statuses is None or len(statuses) == 0:
    raise FileNotFoundError(f"{uri}: no such file" if not is_glob(uri) else f"{uri}: no file matches")
  out = []
  for st in statuses:
    if st.isDirectory():
      files = fs.listFiles(st.getPath(), True)
      found = []
      while files.hasNext():
        f = files.next()
        rel = f.getPath().toString()[len(st.getPath().toString()):]
        if any(hidden(part) for part in rel.split("/") if part):
          continue
        found.append((f.getPath().toString(), f.getLen()))
      out.extend(sorted(found))
    else:
      out.append((st.getPath().toString(), st.getLen()))
  return out


def contiguous_groups(files, parts):
  """Splits (name, size) pairs, in order, into at most `parts` runs of about equal bytes."""
  parts = max(1, min(parts, len(files)))
  total = sum(max(1, size) for _, size in files)
  groups = [[] for _ in range(parts)]
  done = 0
  for name, size in files:
    k = min(parts - 1, (done * parts) // total)
    groups[k].append(name)
    done += max(1, size)
  # A large file can leave later groups empty: split the groups with the most files until there
  # are `parts` groups again (or every group has one file).
  groups = [g for g in groups if g]
  while len(groups) < parts:
    largest = max(range(len(groups)), key=lambda i: len(groups[i]))
    if len(groups[largest]) < 2:
      break
    half = len(groups[largest]) // 2
    groups[largest:largest + 1] = [groups[largest][:half], groups[largest][half:]]
  return groups


class Tools:
  """Where the binary and files are on a node, and the analyze and merge arguments. Picklable:
  it travels to the executors with the tasks."""

  def __init__(self, args, shipped):
    self.shipped = shipped  # option -> file name in SparkFiles, or None (path used as is)
    self.options = file_options(args)
    self.paths = {key: value for key, _, value in self.options}
    self.paths["origincheck"] = args.origincheck
    self.batch = args.batch
    analyze = ["--threads", str(args.analyze_threads)]
    for c in args.claim:
      analyze += ["--claim", c]
    for t in args.target:
      analyze += ["--target", t]
    if args.bucket:
      analyze += ["--bucket", args.bucket]
    if args.window:
      analyze += ["--window", args.window]
    if args.exact_sources:
      analyze += ["--exact-sources", str(args.exact_sources)]
    if args.input_format:
      analyze += ["--input-format", args.input_format]
    if args.columns:
      analyze += ["--columns", args.columns]
    self.analyze_options = analyze

  def local(self, key):
    """The path of an option's file on this node: its SparkFiles copy when shipped (the binary made
    executable), else the path as given."""
    value = self.paths[key]
    if value is None:
      return None
    name = self.shipped.get(key)
    if name is None:
      return value
    from pyspark import SparkFiles
    path = SparkFiles.get(name)
    if key == "origincheck" and not os.access(path, os.X_OK):
      os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path

  def common(self):
    """The database and areas options, with shipped files by name from the SparkFiles directory
    (which origincheck runs in, so the summary names them as given)."""
    out = []
    for key, option, value in self.options:
      out += [option, self.shipped.get(key) or value]
    return out

  def workdir(self):
    """Where origincheck runs: the SparkFiles directory when files were shipped, so that they are
    named by file name in messages and summaries; else the task's own directory."""
    if not self.shipped:
      return None
    from pyspark import SparkFiles
    return SparkFiles.getRootDirectory()


def file_options(args):
  """(key, option, path) of each file analyze reads besides its inputs, in order."""
  out = [(key, option, getattr(args, key)) for key, option in (("db", "--db"), ("asn_db", "--asn-db"), ("areas", "--areas"))]
  out += [(f"baseline{i}", "--baseline", path) for i, path in enumerate(args.baseline)]
  return [(key, option, value) for key, option, value in out if value is not None]


def stderr_lines(data):
  return [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]


def merge_files(tools, binary, paths, output):
  """`origincheck merge --format json` of summary files into `output`; raises on failure."""
  cmd = [binary, "merge", "--format", "json", "--output", output] + paths
  proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, cwd=tools.workdir())
  if proc.returncode != 0:
    lines = stderr_lines(proc.stderr) or [f"origincheck merge exited with status {proc.returncode}"]
    raise JobError("; ".join(lines), proc.returncode if proc.returncode > 0 else EX_SOFTWARE)


def analyze_batches(items, size):
  """Groups (name, path, bytes) items into analyze runs: up to `size` paths in one run, each
  streamed file alone (standard input is one file)."""
  paths = []
  for name, path, data in items:
    if data is None:
      paths.append(path)
      if len(paths) == size:
        yield paths, None, None
        paths = []
    else:
      yield [], name, data
  if paths:
    yield paths, None, None


def summarise_partition(tools, items):
  """Runs analyze over the partition's inputs (paths in batches, streamed files one by one),
  merges the summaries as they come, and yields one record: the partition's summary (JSON text,
  or None when nothing was readable), each analyze run's status and messages, the first fatal
  error if any, and timings."""
  binary = tools.local("origincheck")
  common = tools.common()
  workdir = tools.workdir()
  scratch = tempfile.mkdtemp(prefix="origincheck-spark-")
  began = time.monotonic()
  record = {"summary": None, "runs": [], "fatal": None, "analyzeSeconds": 0.0, "mergeSeconds": 0.0, "merges": 0,
            "taskSeconds": 0.0}
  pending = []
  count = 0

  def merge_pending(name):
    merged = os.path.join(scratch, name)
    start = time.monotonic()
    merge_files(tools, binary, pending, merged)
    record["mergeSeconds"] += time.monotonic() - start
    record["merges"] += 1
    for f in pending:
      os.remove(f)
    return [merged]

  try:
    for paths, name, data in analyze_batches(items, tools.batch):
      out = os.path.join(scratch, f"s{count}.json")
      count += 1
      cmd = [binary, "analyze", "--format", "json", "--output", out] + tools.analyze_options + common
      cmd += paths if data is None else ["--stdin-name", name, "-"]
      start = time.monotonic()
      try:
        if data is None:
          proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, cwd=workdir)
        else:
          proc = subprocess.run(cmd, input=data, capture_output=True, cwd=workdir)
      except OSError as e:
        record["fatal"] = {"message": f"{PREFIX}: cannot run {binary}: {e.strerror}", "status": EX_SOFTWARE}
        break
      record["analyzeSeconds"] += time.monotonic() - start
      data = None
      lines = stderr_lines(proc.stderr)
      status = proc.returncode
      record["runs"].append({"inputs": len(paths) or 1, "status": status, "messages": lines})
      if status in (0, EX_DATAERR) and os.path.exists(out):
        pending.append(out)
      elif status != EX_NOINPUT:
        first = (paths[0] if paths else name)
        message = lines[0] if lines else f"{PREFIX}: {first}: origincheck analyze exited with status {status}"
        record["fatal"] = {"message": message, "status": status if status > 0 else EX_SOFTWARE}
        break
      if len(pending) >= tools.batch:
        pending = merge_pending(f"m{count}.json")
    if record["fatal"] is None and pending:
      if len(pending) > 1:
        pending = merge_pending("partition.json")
      with open(pending[0], encoding="utf-8") as f:
        record["summary"] = f.read()
  except JobError as e:
    record["fatal"] = {"message": str(e), "status": e.status}
  finally:
    shutil.rmtree(scratch, ignore_errors=True)
  record["taskSeconds"] = time.monotonic() - began
  yield record


def start_spark(args):
  from pyspark import SparkConf, SparkContext
  conf = SparkConf().setAppName("origincheck")
  if args.master:
    conf.setMaster(args.master)
  elif not conf.contains("spark.master"):
    conf.setMaster("local[*]")
  conf.setIfMissing("spark.ui.showConsoleProgress", "false")
  # Local runs use this interpreter on the workers too.
  os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
  sc = SparkContext(conf=conf)
  sc.setLogLevel(args.spark_log_level)
  return sc


def ship(sc, args):
  """Adds the binary, databases and areas file to the job; returns option -> SparkFiles name."""
  shipped = {}
  for key, _, value in [("origincheck", None, args.origincheck)] + file_options(args):
    if args.no_ship:
      continue
    if os.path.isfile(value):
      sc.addFile(os.path.abspath(value))
      shipped[key] = os.path.basename(value)
    elif os.sep not in value and not has_scheme(value):
      # A bare name: a file given to spark-submit with --files.
      shipped[key] = value
    elif has_scheme(value):
      sc.addFile(value)
      shipped[key] = os.path.basename(urlparse(value).path)
    else:
      raise JobError(f"{value}: no such file", EX_NOINPUT)
  names = list(shipped.values())
  if len(set(names)) != len(names):
    raise JobError("the binary, databases, areas and baseline files need distinct file names to be shipped", EX_USAGE)
  return shipped


def default_binary():
  found = shutil.which("origincheck")
  if found:
    return found
  here = os.path.dirname(os.path.abspath(__file__))
  built = os.path.join(here, "..", "..", ".build", "release", "origincheck")
  return os.path.normpath(built)


def default_database(binary):
  """The database origincheck uses when --db is not given, as `origincheck geodb info --json` names it."""
  proc = subprocess.run([binary, "geodb", "info", "--json"], stdin=subprocess.DEVNULL, capture_output=True)
  if proc.returncode != 0:
    lines = stderr_lines(proc.stderr)
    raise JobError(lines[0] if lines else f"{binary} geodb info exited with status {proc.returncode}", EX_NOINPUT)
  try:
    return json.loads(proc.stdout)["path"]
  except (ValueError, KeyError, TypeError):
    raise JobError(f"{binary} geodb info --json: no database path in its output", EX_SOFTWARE)


def preflight(binary, tools, args):
  """Runs analyze with the job's options on an empty capture on the driver, so a bad claim, window,
  bucket, target or database is one error before Spark starts instead of one per file."""
  scratch = tempfile.mkdtemp(prefix="origincheck-spark-check-")
  try:
    empty = os.path.join(scratch, "empty.pcap")
    with open(empty, "wb") as f:
      f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    options = [x for _, option, value in file_options(args) for x in (option, value)]
    cmd = [binary, "analyze", "--format", "json", "--output", os.devnull] + tools.analyze_options + options + [empty]
    try:
      proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
    except OSError as e:
      raise JobError(f"cannot run {binary}: {e.strerror}", EX_NOINPUT)
    if proc.returncode != 0:
      lines = stderr_lines(proc.stderr)
      raise JobError(lines[0].removeprefix("origincheck: ") if lines else f"{binary} exited with status {proc.returncode}",
                     proc.returncode if proc.returncode > 0 else EX_SOFTWARE)
  finally:
    shutil.rmtree(scratch, ignore_errors=True)


def list_inputs(sc, inputs):
  """(paths, uris, messages): the (name, size) files of the path inputs and of the URI inputs, and
  one error line for each input that names no file."""
  paths, uris, messages = [], [], []
  for item in inputs:
    try:
      if has_scheme(item):
        uris.extend(list_uri(sc, item))
      else:
        paths.extend(list_path(item))
    except FileNotFoundError as e:
      messages.append(f"{PREFIX}: {e.args[0]}")
    except Exception as e:  # a Hadoop error from the JVM (no such filesystem, access denied): one line
      text = str(e).strip().splitlines()
      messages.append(f"{PREFIX}: {item}: cannot list: {text[0] if text else type(e).__name__}")
  return paths, uris, messages


def final_merge(binary, args, summaries, areas):
  """`origincheck merge` of the partitions' summaries into the report; (status, seconds)."""
  scratch = tempfile.mkdtemp(prefix="origincheck-spark-driver-")
  try:
    parts = []
    for k, text in enumerate(summaries):
      part = os.path.join(scratch, f"part{k}.json")
      with open(part, "w", encoding="utf-8") as f:
        f.write(text)
      parts.append(part)
    cmd = [binary, "merge", "--format", args.format]
    if args.output:
      cmd += ["--output", os.path.abspath(args.output)]
    for option, value in (("--by", args.by), ("--top", args.top), ("--metric", args.metric), ("--areas", areas)):
      if value is not None:
        cmd += [option, str(value)]
    if args.fail_unless_holds:
      cmd.append("--fail-unless-holds")
    start = time.monotonic()
    sys.stdout.flush()
    proc = subprocess.run(cmd + parts, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.monotonic() - start
  finally:
    shutil.rmtree(scratch, ignore_errors=True)
  for line in stderr_lines(proc.stderr):
    error_line(line)
  return proc.returncode, seconds


def run(argv):
  args = parse_arguments(argv)
  wall = time.monotonic()
  if args.origincheck is None:
    args.origincheck = default_binary()
  # The driver runs the binary too (the final merge); a bare name that is not a file here is a
  # file given to spark-submit with --files, found through SparkFiles once Spark runs.
  on_driver = os.path.isfile(args.origincheck)
  if not on_driver and (os.sep in args.origincheck or has_scheme(args.origincheck)):
    raise JobError(f"{args.origincheck}: no such file", EX_NOINPUT)
  if on_driver:
    if args.db is None:
      args.db = default_database(args.origincheck)
    if all(os.path.isfile(value) for _, _, value in file_options(args)):
      preflight(args.origincheck, Tools(args, {}), args)

  sc = start_spark(args)
  try:
    from pyspark import SparkFiles
    driver_binary = args.origincheck if on_driver else SparkFiles.get(args.origincheck)
    if args.db is None:
      args.db = default_database(driver_binary)
    tools = Tools(args, ship(sc, args))
    areas = None
    if args.areas is not None:
      areas = args.areas if os.path.isfile(args.areas) else tools.local("areas")

    paths, uris, unlisted = list_inputs(sc, args.inputs)
    partitions = args.partitions or sc.defaultParallelism
    rdds = []
    if paths:
      # Paths: contiguous runs of about equal bytes, one per partition, opened by path.
      groups = contiguous_groups(paths, partitions)
      rdds.append(sc.parallelize(groups, numSlices=len(groups)).mapPartitions(
        lambda it, tools=tools: summarise_partition(tools, ((p, p, None) for group in it for p in group))))
    # Spark reads a list of URIs as globs separated by commas: a name with one of those
    # characters cannot be read that way.
    odd = [u for u in uris if any(c in u[0] for c in ",{}[]*?\\")]
    for u, _ in odd:
      unlisted.append(f"{PREFIX}: {u}: a URI with one of , {{ }} [ ] * ? \\ in its name cannot be read through Spark; rename it or give it as a path")
    uris = [u for u in uris if u not in odd]
    for line in unlisted:
      error_line(line)
    if uris:
      # URIs: read by Spark, each file's bytes streamed to analyze.
      joined = ",".join(u for u, _ in uris)
      rdds.append(sc.binaryFiles(joined, minPartitions=min(partitions, len(uris))).mapPartitions(
        lambda it, tools=tools: summarise_partition(tools, ((name, None, data) for name, data in it))))
    records = sc.union(rdds).collect() if len(rdds) > 1 else (rdds[0].collect() if rdds else [])

    for r in records:
      for run_ in r["runs"]:
        for line in run_["messages"]:
          error_line(line)
    fatal = next((r["fatal"] for r in records if r["fatal"]), None)
    if fatal:
      error_line(fatal["message"])
      return fatal["status"]

    summaries = [r["summary"] for r in records if r["summary"] is not None]
    runs = [run_ for r in records for run_ in r["runs"]]
    if not summaries:
      if not runs and not unlisted:
        error_line(f"{PREFIX}: no input files")
      return EX_NOINPUT

    # One final merge on the driver renders the report.
    status, driver_merge = final_merge(driver_binary, args, summaries, areas)
    if args.stats:
      write_stats(args.stats, {
        "pathInputs": len(paths), "uriInputs": len(uris), "partitions": len(records),
        "analyzeRuns": len(runs), "summaries": sum(1 for run_ in runs if run_["status"] in (0, EX_DATAERR)),
        "inputBytes": sum(s for _, s in paths) + sum(s for _, s in uris),
        "analyzeSeconds": round(sum(r["analyzeSeconds"] for r in records), 3),
        "executorMergeSeconds": round(sum(r["mergeSeconds"] for r in records), 3),
        "executorMerges": sum(r["merges"] for r in records),
        "slowestTaskSeconds": round(max(r["taskSeconds"] for r in records), 3),
        "driverMergeSeconds": round(driver_merge, 3),
        "partitionSummaryBytes": sum(len(s) for s in summaries),
        "wallSeconds": round(time.monotonic() - wall, 3),
      })
    if status not in (0, 1):
      return status
    if unlisted or any(run_["status"] != 0 for run_ in runs):
      return EX_DATAERR
    return status
  finally:
    sc.stop()


def write_stats(path, stats):
  with open(path, "w", encoding="utf-8") as f:
    json.dump(stats, f, indent=2)
    f.write("\n")


def main():
  try:
    status = run(sys.argv[1:])
  except JobError as e:
    error_line(f"{PREFIX}: {e}")
    status = e.status
  except KeyboardInterrupt:
    status = 130
  sys.exit(status)


if __name__ == "__main__":
  main()
