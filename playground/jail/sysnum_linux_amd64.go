package jail

// sysSeccomp is seccomp(2) on linux/amd64.
const sysSeccomp = 317
