package main

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestReadyDelayIsTheAgentsOrThePodsPlusTheLongestReadinessProbeDelay(t *testing.T) {
	a := &agent{delay: 200 * time.Millisecond}
	probe := func(seconds int32) *corev1.Probe { return &corev1.Probe{InitialDelaySeconds: seconds} }
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	if got := a.readyDelay(pod); got != 200*time.Millisecond {
		t.Errorf("default delay: got %v", got)
	}
	pod.Annotations = map[string]string{readyDelayAnnotation: "50"}
	pod.Spec.Containers = []corev1.Container{{Name: "a", ReadinessProbe: probe(1)}, {Name: "b", ReadinessProbe: probe(3)}, {Name: "c"}}
	if got := a.readyDelay(pod); got != 3*time.Second+50*time.Millisecond {
		t.Errorf("annotated delay with probes: got %v", got)
	}
	pod.Annotations[readyDelayAnnotation] = "soon"
	if got := a.readyDelay(pod); got != 3*time.Second+200*time.Millisecond {
		t.Errorf("an unreadable annotation falls back to the default: got %v", got)
	}
}

func TestPodIPIsStablePerPod(t *testing.T) {
	first := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "0b6c3f1e-0001"}}
	second := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "0b6c3f1e-0002"}}
	if podIP(first) != podIP(first) || podIP(first) == podIP(second) {
		t.Errorf("pod IPs: %s, %s", podIP(first), podIP(second))
	}
}

func TestIsReadyReadsThePodsReadyCondition(t *testing.T) {
	pod := &corev1.Pod{}
	if isReady(pod) {
		t.Error("a Pod without conditions is not ready")
	}
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}, {Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	if !isReady(pod) {
		t.Error("a Pod with Ready=True is ready")
	}
}
