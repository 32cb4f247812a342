package jail

// sysSeccomp is seccomp(2) on linux/amd64.
const sysSeccomp = 317

// rlimitNPROC is RLIMIT_NPROC, which package syscall lacks.
const rlimitNPROC = 6
