# A real one-node Slurm cluster per test (cluster/slurmcluster.sh, run as root; skipped where it
# cannot run, unless PCSTUDIO_REQUIRE_SLURM_CLUSTER=1) and the cluster recipes run on it.
add_library(pcstudio_test_slurm STATIC cluster/slurmcluster.h cluster/slurmcluster.cpp)
target_link_libraries(pcstudio_test_slurm PUBLIC pcstudio_test_support)
target_compile_definitions(pcstudio_test_slurm PRIVATE
  PCSTUDIO_SLURM_CLUSTER_SCRIPT="${CMAKE_CURRENT_SOURCE_DIR}/cluster/slurmcluster.sh")

# scripts/cluster/apply-slurm.sbatch as an array job against one pass, and the harness itself.
pcstudio_add_test(tst_slurmcluster SOURCES cluster/tst_slurmcluster.cpp LIBS pcstudio_test_slurm)
add_dependencies(tst_slurmcluster pcstudio-cli)
target_compile_definitions(tst_slurmcluster PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# A skip in initTestCase (no cluster here) shows as skipped, not passed.
set_tests_properties(tst_slurmcluster PROPERTIES TIMEOUT 180
  SKIP_REGULAR_EXPRESSION "SKIP   : TestSlurmCluster::initTestCase")

# scripts/cluster/bpb-slurm.sh: batch-export shards through a run-batch stand-in, then import.
pcstudio_add_test(tst_bpbslurm SOURCES cluster/tst_bpbslurm.cpp
  LIBS pcstudio_test_slurm pcstudio_fake_openai)
add_dependencies(tst_bpbslurm pcstudio-cli fake-vllm-run-batch)
target_compile_definitions(tst_bpbslurm PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  PCSTUDIO_FAKE_VLLM_RUN_BATCH="$<TARGET_FILE:fake-vllm-run-batch>")
set_tests_properties(tst_bpbslurm PROPERTIES TIMEOUT 300
  SKIP_REGULAR_EXPRESSION "SKIP   : TestBpbSlurm::initTestCase")

# scripts/cluster/select-slurm.sh: estimate array -> cut (afterok) -> projection array, against
# one select, byte for byte.
pcstudio_add_test(tst_selectslurm SOURCES cluster/tst_selectslurm.cpp LIBS pcstudio_test_slurm)
add_dependencies(tst_selectslurm pcstudio-cli)
target_compile_definitions(tst_selectslurm PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
set_tests_properties(tst_selectslurm PROPERTIES TIMEOUT 300
  SKIP_REGULAR_EXPRESSION "SKIP   : TestSelectSlurm::initTestCase")
