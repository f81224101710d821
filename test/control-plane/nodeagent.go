package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
)

// readyDelayAnnotation on a Pod (set it in a workload's pod template) overrides the agent's default delay, in ms.
const readyDelayAnnotation = "node-agent.boutique.dev/ready-delay-ms"

// agent does for Pods that never run what kubelets, a volume provisioner and a load-balancer controller would:
// Nodes Ready, scheduled Pods Running and Ready (Pods of Jobs and other run-to-completion Pods Succeeded) after a
// delay, deleted Pods gone, PVCs bound to provisioned PVs, LoadBalancer Services given an address.
type agent struct {
	client   kubernetes.Interface
	nodes    map[string]bool
	delay    time.Duration
	holdURL  string
	mu       sync.Mutex
	pending  map[string]bool // keys of objects with a readiness timer or a hold poll in flight
	addressN int
}

func runNodeAgent(args []string) int {
	flags := flag.NewFlagSet("node-agent", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig of the API server")
	nodeCount := flags.Int("nodes", 3, "how many Nodes to register")
	delay := flags.Duration("ready-delay", 200*time.Millisecond, "how long a scheduled Pod takes to become Ready")
	holdURL := flags.String("hold-url", "", "asked with POST {object} before an object becomes ready; 200 'hold' keeps it not ready")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "node-agent:", err)
		return 2
	}
	config.QPS, config.Burst = 200, 400
	config.UserAgent = "node-agent"
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "node-agent:", err)
		return 2
	}
	a := &agent{client: client, nodes: map[string]bool{}, delay: *delay, holdURL: *holdURL, pending: map[string]bool{}}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	for i := 1; i <= *nodeCount; i++ {
		name := fmt.Sprintf("node-%d", i)
		a.nodes[name] = true
		if err := a.registerNode(ctx, name); err != nil {
			fmt.Fprintln(os.Stderr, "node-agent:", err)
			return 1
		}
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	pods := factory.Core().V1().Pods().Informer()
	claims := factory.Core().V1().PersistentVolumeClaims().Informer()
	services := factory.Core().V1().Services().Informer()
	handler := func(handle func(context.Context, runtime.Object)) cache.ResourceEventHandler {
		return cache.ResourceEventHandlerFuncs{
			AddFunc:    func(object interface{}) { handle(ctx, object.(runtime.Object)) },
			UpdateFunc: func(_, object interface{}) { handle(ctx, object.(runtime.Object)) },
		}
	}
	_, _ = pods.AddEventHandler(handler(a.pod))
	_, _ = claims.AddEventHandler(handler(a.claim))
	_, _ = services.AddEventHandler(handler(a.service))
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	fmt.Fprintf(os.Stderr, "node-agent: %d nodes ready\n", *nodeCount)
	<-ctx.Done()
	return 0
}

func (a *agent) registerNode(ctx context.Context, name string) error {
	quantity := resource.MustParse
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"node.kubernetes.io/instance-type": "test", "topology.kubernetes.io/zone": "zone-" + name,
		}},
	}
	_, err := a.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{corev1.ResourceCPU: quantity("64"), corev1.ResourceMemory: quantity("256Gi"), corev1.ResourcePods: quantity("500"), corev1.ResourceEphemeralStorage: quantity("1Ti")}
	status := corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Phase:       corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "node-agent", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", LastHeartbeatTime: now, LastTransitionTime: now},
			{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", LastHeartbeatTime: now, LastTransitionTime: now},
		},
		Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}, {Type: corev1.NodeHostName, Address: name}},
		NodeInfo:  corev1.NodeSystemInfo{KubeletVersion: "v1.35.4", OperatingSystem: "linux", Architecture: "amd64", ContainerRuntimeVersion: "node-agent://1"},
	}
	// Controllers (the TTL controller, for one) write new Nodes too: retry on the latest version.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := a.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		current.Status = status
		_, err = a.client.CoreV1().Nodes().UpdateStatus(ctx, current, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	// The API server's TaintNodesByCondition admission taints a new Node not-ready; the node lifecycle controller,
	// which would lift it, is off (no kubelet posts heartbeats), so the agent lifts it.
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := a.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		current.Spec.Taints = nil
		_, err = a.client.CoreV1().Nodes().Update(ctx, current, metav1.UpdateOptions{})
		return err
	})
}

// once runs work for key unless work for it is already in flight.
func (a *agent) once(key string, work func()) {
	a.mu.Lock()
	if a.pending[key] {
		a.mu.Unlock()
		return
	}
	a.pending[key] = true
	a.mu.Unlock()
	go func() {
		defer func() { a.mu.Lock(); delete(a.pending, key); a.mu.Unlock() }()
		work()
	}()
}

// held asks the test harness whether an object is to stay not ready (a fault the test injected).
func (a *agent) held(object interface{}) bool {
	if a.holdURL == "" {
		return false
	}
	body, err := json.Marshal(object)
	if err != nil {
		return false
	}
	response, err := http.Post(a.holdURL, "application/json", bytes.NewReader(body))
	if err != nil {
		return false
	}
	defer response.Body.Close()
	var answer bytes.Buffer
	_, _ = answer.ReadFrom(response.Body)
	return answer.String() == "hold"
}

// waitUnheld waits until the harness no longer holds any of the objects.
func (a *agent) waitUnheld(ctx context.Context, objects func() []interface{}) bool {
	for {
		hold := false
		for _, object := range objects() {
			if a.held(object) {
				hold = true
				break
			}
		}
		if !hold {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (a *agent) pod(ctx context.Context, object runtime.Object) {
	pod := object.(*corev1.Pod)
	if !a.nodes[pod.Spec.NodeName] {
		return
	}
	key := "pod/" + string(pod.UID)
	if pod.DeletionTimestamp != nil {
		// No kubelet stops containers: the Pod is gone as soon as it is deleted.
		a.once(key+"/delete", func() {
			zero := int64(0)
			err := a.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				fmt.Fprintln(os.Stderr, "node-agent: delete pod:", err)
			}
		})
		return
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed || isReady(pod) {
		return
	}
	a.once(key, func() {
		// Read the Pod afresh for each status write, so a write that met a newer version is retried on it.
		update := func(phase corev1.PodPhase, ready bool) error {
			return retry.RetryOnConflict(retry.DefaultRetry, func() error {
				current, err := a.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
				if err != nil || current.UID != pod.UID || current.DeletionTimestamp != nil {
					return err
				}
				if phase == corev1.PodSucceeded && current.Spec.RestartPolicy == corev1.RestartPolicyAlways {
					phase = corev1.PodRunning
				}
				return a.setPodStatus(ctx, current, phase, ready)
			})
		}
		if pod.Status.Phase == "" || pod.Status.Phase == corev1.PodPending {
			if err := update(corev1.PodRunning, false); err != nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(a.readyDelay(pod)):
		}
		if !a.waitUnheld(ctx, func() []interface{} { return a.owners(ctx, pod) }) {
			return
		}
		// Pods that run to completion (a Job's, a helm test hook's) succeed; the others run and are Ready.
		_ = update(corev1.PodSucceeded, true)
	})
}

// readyDelay is the agent's delay, or the Pod's annotation, plus the longest readiness probe's initial delay.
func (a *agent) readyDelay(pod *corev1.Pod) time.Duration {
	delay := a.delay
	if ms, err := strconv.Atoi(pod.Annotations[readyDelayAnnotation]); err == nil && ms >= 0 {
		delay = time.Duration(ms) * time.Millisecond
	}
	var probe time.Duration
	for _, container := range pod.Spec.Containers {
		if container.ReadinessProbe != nil {
			probe = max(probe, time.Duration(container.ReadinessProbe.InitialDelaySeconds)*time.Second)
		}
	}
	return delay + probe
}

// owners are the Pod and its controllers up the chain (ReplicaSet, Deployment, StatefulSet, Job…), for the hold check.
func (a *agent) owners(ctx context.Context, pod *corev1.Pod) []interface{} {
	objects := []interface{}{withKind(pod, "v1", "Pod")}
	refs := pod.OwnerReferences
	namespace := pod.Namespace
	for depth := 0; depth < 3; depth++ {
		var next []metav1.OwnerReference
		for _, ref := range refs {
			if ref.Controller == nil || !*ref.Controller {
				continue
			}
			var owner interface{}
			var err error
			switch ref.Kind {
			case "ReplicaSet":
				got, e := a.client.AppsV1().ReplicaSets(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				owner, err = withKind(got, "apps/v1", "ReplicaSet"), e
				if e == nil {
					next = append(next, got.OwnerReferences...)
				}
			case "Deployment":
				got, e := a.client.AppsV1().Deployments(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				owner, err = withKind(got, "apps/v1", "Deployment"), e
			case "StatefulSet":
				got, e := a.client.AppsV1().StatefulSets(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				owner, err = withKind(got, "apps/v1", "StatefulSet"), e
			case "DaemonSet":
				got, e := a.client.AppsV1().DaemonSets(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				owner, err = withKind(got, "apps/v1", "DaemonSet"), e
			case "Job":
				got, e := a.client.BatchV1().Jobs(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
				owner, err = withKind(got, "batch/v1", "Job"), e
			}
			if err == nil && owner != nil {
				objects = append(objects, owner)
			}
		}
		refs = next
	}
	return objects
}

// withKind sets apiVersion and kind, which typed clients leave empty, so the harness can match on kind.
func withKind(object runtime.Object, apiVersion, kind string) runtime.Object {
	if object == nil {
		return nil
	}
	object.GetObjectKind().SetGroupVersionKind(schemaKind(apiVersion, kind))
	return object
}

func isReady(pod *corev1.Pod) bool {
	for _, condition := range pod.Status.Conditions {
		if condition.Type == corev1.PodReady {
			return condition.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (a *agent) setPodStatus(ctx context.Context, pod *corev1.Pod, phase corev1.PodPhase, ready bool) error {
	now := metav1.Now()
	status := corev1.ConditionFalse
	if ready && phase == corev1.PodRunning {
		status = corev1.ConditionTrue
	}
	start := pod.Status.StartTime
	if start == nil {
		start = &now
	}
	updated := pod.DeepCopy()
	updated.Status.Phase = phase
	updated.Status.HostIP = "127.0.0.1"
	updated.Status.HostIPs = []corev1.HostIP{{IP: "127.0.0.1"}}
	updated.Status.PodIP = podIP(pod)
	updated.Status.PodIPs = []corev1.PodIP{{IP: updated.Status.PodIP}}
	updated.Status.StartTime = start
	updated.Status.Conditions = []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: *start},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: *start},
		{Type: corev1.ContainersReady, Status: status, LastTransitionTime: now},
		{Type: corev1.PodReady, Status: status, LastTransitionTime: now},
	}
	updated.Status.ContainerStatuses = nil
	for _, container := range pod.Spec.Containers {
		state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: *start}}
		if phase == corev1.PodSucceeded {
			state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: *start, FinishedAt: now}}
		}
		started := phase == corev1.PodRunning
		updated.Status.ContainerStatuses = append(updated.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: container.Name, Image: container.Image, ImageID: "node-agent://" + container.Image, ContainerID: "node-agent://" + string(pod.UID) + "/" + container.Name,
			Ready: status == corev1.ConditionTrue, Started: &started, State: state,
		})
	}
	_, err := a.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		fmt.Fprintln(os.Stderr, "node-agent: pod status:", err)
	}
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// podIP is a stable loopback-range address per Pod, never routed anywhere.
func podIP(pod *corev1.Pod) string {
	var sum uint32
	for _, b := range []byte(pod.UID) {
		sum = sum*31 + uint32(b)
	}
	return fmt.Sprintf("10.%d.%d.%d", 244+(sum>>16)%8, (sum>>8)%256, 1+sum%254)
}

func (a *agent) claim(ctx context.Context, object runtime.Object) {
	claim := object.(*corev1.PersistentVolumeClaim)
	if claim.DeletionTimestamp != nil || claim.Spec.VolumeName != "" || claim.Status.Phase == corev1.ClaimBound {
		return
	}
	a.once("pvc/"+string(claim.UID), func() {
		if !a.waitUnheld(ctx, func() []interface{} { return []interface{}{withKind(claim, "v1", "PersistentVolumeClaim")} }) {
			return
		}
		size := claim.Spec.Resources.Requests[corev1.ResourceStorage]
		if size.IsZero() {
			size = resource.MustParse("1Gi")
		}
		className := ""
		if claim.Spec.StorageClassName != nil {
			className = *claim.Spec.StorageClassName
		}
		volumeMode := corev1.PersistentVolumeFilesystem
		if claim.Spec.VolumeMode != nil {
			volumeMode = *claim.Spec.VolumeMode
		}
		volume := &corev1.PersistentVolume{
			ObjectMeta: metav1.ObjectMeta{Name: "pvc-" + string(claim.UID), Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": "node-agent"}},
			Spec: corev1.PersistentVolumeSpec{
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
				AccessModes:                   claim.Spec.AccessModes,
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
				StorageClassName:              className,
				VolumeMode:                    &volumeMode,
				ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID},
				PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/node-agent/" + string(claim.UID)}},
			},
		}
		if len(volume.Spec.AccessModes) == 0 {
			volume.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		}
		_, err := a.client.CoreV1().PersistentVolumes().Create(ctx, volume, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			fmt.Fprintln(os.Stderr, "node-agent: provision:", err)
		}
	})
}

func (a *agent) service(ctx context.Context, object runtime.Object) {
	service := object.(*corev1.Service)
	if service.Spec.Type != corev1.ServiceTypeLoadBalancer || len(service.Status.LoadBalancer.Ingress) > 0 || service.DeletionTimestamp != nil {
		return
	}
	a.once("svc/"+string(service.UID), func() {
		if !a.waitUnheld(ctx, func() []interface{} { return []interface{}{withKind(service, "v1", "Service")} }) {
			return
		}
		current, err := a.client.CoreV1().Services(service.Namespace).Get(ctx, service.Name, metav1.GetOptions{})
		if err != nil || current.UID != service.UID {
			return
		}
		a.mu.Lock()
		a.addressN++
		n := a.addressN
		a.mu.Unlock()
		current.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: fmt.Sprintf("172.18.%d.%d", 255-(n/250)%200, 1+n%250)}}
		if _, err := a.client.CoreV1().Services(service.Namespace).UpdateStatus(ctx, current, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
			fmt.Fprintln(os.Stderr, "node-agent: load balancer:", err)
		}
	})
}

func schemaKind(apiVersion, kind string) schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(apiVersion, kind)
}
