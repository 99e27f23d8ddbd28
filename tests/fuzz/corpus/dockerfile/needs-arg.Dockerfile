ARG IMG
FROM ${IMG:?pass_--build-arg_IMG}
