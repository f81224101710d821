// Command control-plane is the test suite's Kubernetes control plane in one binary (hyperkube style): each subcommand
// runs one component in its own process, so their global state (flags, metrics registries, klog) never collides.
//
//	control-plane etcd --data-dir DIR --listen-client URL --listen-peer URL
//	control-plane kube-apiserver ARGS...           (k8s.io/kubernetes/cmd/kube-apiserver/app)
//	control-plane kube-controller-manager ARGS...  (k8s.io/kubernetes/cmd/kube-controller-manager/app)
//	control-plane kube-scheduler ARGS...           (k8s.io/kubernetes/cmd/kube-scheduler/app)
//	control-plane node-agent --kubeconfig FILE ...  (what kubelets would do for Pods that never run)
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: control-plane etcd|kube-apiserver|kube-controller-manager|kube-scheduler|node-agent [args]")
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	go exitWithParent()
	var command *cobra.Command
	switch name {
	case "etcd":
		os.Exit(runEtcd(args))
	case "node-agent":
		os.Exit(runNodeAgent(args))
	case "kube-apiserver":
		command = apiserver.NewAPIServerCommand()
	case "kube-controller-manager":
		command = controllermanager.NewControllerManagerCommand()
	case "kube-scheduler":
		command = scheduler.NewSchedulerCommand()
	default:
		fmt.Fprintf(os.Stderr, "control-plane: unknown component %q\n", name)
		os.Exit(2)
	}
	command.SetArgs(args)
	os.Exit(cli.Run(command))
}

// exitWithParent ends the component when the process that started it (the test harness) is gone, so a test run that
// dies never leaves a control plane behind.
func exitWithParent() {
	parent := os.Getppid()
	for range time.Tick(time.Second) {
		if os.Getppid() != parent {
			os.Exit(1)
		}
	}
}
