"""Apply a pcstudio filter in Spark with RDD.pipe: each partition's lines go through
`pcstudio-cli filter apply` on standard input and the kept lines come back on standard output.

    spark-submit --files filter.bin apply_spark.py filter.bin 0.42 'hdfs:///corpus/*.jsonl' hdfs:///kept

pcstudio-cli must be installed on every worker (the .deb from `cpack -G DEB`). With a fixed
threshold each line is judged alone, so partitioning does not change which lines are kept.
"""
import shlex
import sys

from pyspark.sql import SparkSession


def main(model_name, threshold, inputs, output):
    spark = SparkSession.builder.appName("pcstudio-filter").getOrCreate()
    lines = spark.sparkContext.textFile(inputs)
    # RDD.pipe splits its command string with shlex; checkCode makes a failing filter fail the task.
    # `--files filter.bin` puts the model in each executor's working folder, where pipe runs.
    command = shlex.join(["pcstudio-cli", "filter", "apply", "--model", model_name,
                          "--threshold", str(threshold), "--threads", "1"])
    lines.pipe(command, checkCode=True).saveAsTextFile(output)
    spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:5])
