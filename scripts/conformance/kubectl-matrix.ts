import { daemonSetYaml, statefulSetYaml, widgetCrdYaml } from './workloads.js';

/**
 * Everyday kubectl commands, in the order a user runs them, each with what it prints on a real cluster: kubectl
 * 1.32 against the real control plane (`npm run conformance -- --control-plane kubernetes`, kube-apiserver 1.34
 * with its controllers), which every expectation was checked against. A command conforms when it exits as on a real
 * cluster and its output matches. The steps share state: later commands use what earlier ones created.
 */
export interface KubectlCase {
  /** The arguments after `kubectl`, split on spaces; single quotes keep spaces. */
  args: string;
  stdin?: string;
  /** What stdout (then stderr, for failures) shows on a real cluster. */
  expect: RegExp;
  /** The exit code on a real cluster (0 unless said). */
  code?: number;
  /**
   * Re-run until it conforms, for up to this many ms: what a user does for an answer that comes once the cluster
   * has caught up (`kubectl top` answers "metrics not available yet" until metrics-server has scraped twice).
   */
  retryMs?: number;
}

const deployment = (name: string, image: string, replicas = 2) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: demo, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: ${image}
        resources: {requests: {cpu: 50m, memory: 32Mi}}
`;

const widget = `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: demo}
spec: {size: 3}
`;

const extras = `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: demo}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: demo}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: demo}
spec:
  limits: [{type: Container, defaultRequest: {cpu: 50m}}]
`;

export const kubectlMatrix: KubectlCase[] = [
  // Looking around.
  { args: 'version', expect: /Client Version: v1\.\d+[\s\S]*Server Version: v1\.\d+/ },
  { args: 'cluster-info', expect: /Kubernetes control plane is running at http/ },
  { args: 'api-versions', expect: /^apps\/v1$[\s\S]*^rbac\.authorization\.k8s\.io\/v1$/m },
  { args: 'api-resources', expect: /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m },
  {
    args: 'api-resources --namespaced=false -o name',
    expect: /^clusterroles\.rbac\.authorization\.k8s\.io$/m,
  },
  { args: 'get nodes', expect: /^node-1\s+Ready\s+/m },
  {
    args: 'get nodes -o wide',
    expect: /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/,
  },
  { args: 'describe node node-1', expect: /Allocatable:[\s\S]*Allocated resources:/ },
  { args: 'get namespaces', expect: /^kube-system\s+Active/m },
  { args: 'get serviceaccounts', expect: /^default\s+0\s+/m },
  { args: 'get priorityclasses', expect: /^system-node-critical\s+2000001000\s+false/m },
  { args: 'get apiservices', expect: /^v1\.apps\s+Local\s+True/m },
  { args: 'get --raw /healthz', expect: /^ok$/ },
  { args: 'get --raw /readyz', expect: /^ok$/ },
  { args: 'get leases -n kube-node-lease', expect: /^node-1\s+node-1\s+/m },
  { args: 'auth can-i create deployments', expect: /^yes$/ },
  { args: 'auth whoami', expect: /Username/ },
  { args: 'explain deployment.spec.replicas', expect: /FIELD: replicas <integer>/ },
  // A namespace and a Deployment.
  { args: 'create namespace demo', expect: /^namespace\/demo created$/ },
  { args: 'get serviceaccount default -n demo', expect: /^default\s+0\s+/m },
  {
    args: 'create deployment web --image=nginx:1.27 --replicas=2 -n demo',
    expect: /deployment\.apps\/web created/,
  },
  {
    args: 'rollout status deployment/web -n demo --timeout=90s',
    expect: /deployment "web" successfully rolled out/,
  },
  { args: 'get deployment web -n demo', expect: /^web\s+2\/2\s+2\s+2\s+/m },
  { args: 'get deployment web -n demo -o jsonpath={.status.readyReplicas}', expect: /^2$/ },
  { args: 'get replicasets -n demo', expect: /^web-[a-z0-9]+\s+2\s+2\s+2\s+/m },
  { args: 'get pods -n demo -l app=web', expect: /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+/m },
  { args: 'get pods -n demo -o wide', expect: /IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n.*node-\d/ },
  { args: 'get pods -n demo --field-selector=status.phase=Running -o name', expect: /^pod\/web-/m },
  { args: 'get pods -A', expect: /^demo\s+web-/m },
  { args: 'get pods -n demo --show-labels', expect: /app=web,pod-template-hash=/ },
  { args: 'get deploy -n demo -L app', expect: /APP\n.*web$/m },
  { args: 'get deploy web -n demo -o yaml', expect: /^kind: Deployment$[\s\S]*^status:$/m },
  { args: 'get deploy web -n demo -o json', expect: /"kind": "Deployment"/ },
  { args: 'get deploy -n demo -o name', expect: /^deployment\.apps\/web$/m },
  {
    args: 'get deploy -n demo -o custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image',
    expect: /^web\s+nginx:1\.27$/m,
  },
  { args: 'get pod -n demo -l app=web -o jsonpath={.items[0].spec.serviceAccountName}', expect: /^default$/ },
  {
    args: 'get pod -n demo -l app=web -o jsonpath={.items[0].spec.tolerations[*].key}',
    expect: /node\.kubernetes\.io\/not-ready node\.kubernetes\.io\/unreachable/,
  },
  {
    args: 'get pod -n demo -l app=web -o jsonpath={.items[0].spec.volumes[0].name}',
    expect: /^kube-api-access-[a-z0-9]{5}$/,
  },
  { args: 'describe deployment web -n demo', expect: /Events:[\s\S]*ScalingReplicaSet/ },
  {
    args: 'describe pods -n demo -l app=web',
    expect: /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned demo\/web-/,
  },
  { args: 'logs deployment/web -n demo', expect: /.+/ },
  { args: 'logs -n demo -l app=web --tail=1', expect: /.+/ },
  { args: 'logs deployment/web -n demo --timestamps --tail=1', expect: /^\d{4}-\d\d-\d\dT/ },
  {
    args: 'top nodes',
    expect: /^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)/,
    retryMs: 90_000,
  },
  { args: 'top pods -n demo', expect: /^web-/m, retryMs: 90_000 },
  // Changing it.
  { args: 'scale deployment web --replicas=3 -n demo', expect: /deployment\.apps\/web scaled/ },
  { args: 'rollout status deployment/web -n demo --timeout=90s', expect: /successfully rolled out/ },
  {
    args: 'set image deployment/web nginx=nginx:1.28 -n demo',
    expect: /deployment\.apps\/web image updated/,
  },
  { args: 'rollout status deployment/web -n demo --timeout=90s', expect: /successfully rolled out/ },
  {
    args: 'rollout history deployment/web -n demo',
    expect: /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/,
  },
  { args: 'rollout history deployment/web -n demo --revision=1', expect: /Image:\s+nginx:1\.27/ },
  { args: 'rollout undo deployment/web -n demo', expect: /deployment\.apps\/web rolled back/ },
  { args: 'rollout status deployment/web -n demo --timeout=90s', expect: /successfully rolled out/ },
  {
    args: 'get rs -n demo -l app=web',
    expect: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE(\nweb-\S+\s+\d+\s+\d+\s+\d+\s+\S+){2}$/,
  },
  { args: 'rollout restart deployment/web -n demo', expect: /deployment\.apps\/web restarted/ },
  { args: 'rollout pause deployment/web -n demo', expect: /deployment\.apps\/web paused/ },
  { args: 'rollout resume deployment/web -n demo', expect: /deployment\.apps\/web resumed/ },
  {
    args: 'set resources deployment web --requests=cpu=100m,memory=64Mi -n demo',
    expect: /resource requirements updated/,
  },
  { args: 'set env deployment/web MODE=fast -n demo', expect: /deployment\.apps\/web env updated/ },
  { args: 'label deployment web tier=frontend -n demo', expect: /deployment\.apps\/web labeled/ },
  { args: 'annotate deployment web owner=team-a -n demo', expect: /deployment\.apps\/web annotated/ },
  {
    args: 'patch deployment web -n demo -p \'{"spec":{"revisionHistoryLimit":5}}\'',
    expect: /deployment\.apps\/web patched/,
  },
  {
    args: 'patch deployment web -n demo --type=json -p \'[{"op":"replace","path":"/spec/replicas","value":2}]\'',
    expect: /deployment\.apps\/web patched/,
  },
  {
    args: 'wait --for=condition=Available deployment/web -n demo --timeout=90s',
    expect: /deployment\.apps\/web condition met/,
  },
  // Services and networking.
  { args: 'expose deployment web --port=80 --target-port=80 -n demo', expect: /service\/web exposed/ },
  { args: 'get service web -n demo', expect: /^web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+/m },
  { args: 'get endpoints web -n demo', expect: /^web\s+(\d+\.\d+\.\d+\.\d+:80,?)+/m },
  { args: 'get endpointslices -n demo', expect: /^web-[a-z0-9]{5}\s+IPv4\s+80\s+/m },
  { args: 'describe service web -n demo', expect: /Endpoints:\s+\d+\.\d+\.\d+\.\d+:80/ },
  { args: 'create service nodeport edge --tcp=80:8080 -n demo', expect: /service\/edge created/ },
  { args: 'get service edge -n demo -o jsonpath={.spec.ports[0].nodePort}', expect: /^3\d{4}$/ },
  { args: 'create service clusterip api --tcp=8080:8080 -n demo', expect: /service\/api created/ },
  {
    args: 'create ingress web -n demo --rule=web.local/=web:80',
    expect: /ingress\.networking\.k8s\.io\/web created/,
  },
  { args: 'get ingress -n demo', expect: /^web\s+<none>\s+web\.local\s+/m },
  // Autoscaling.
  {
    args: 'autoscale deployment web --min=2 --max=5 --cpu-percent=50 -n demo',
    expect: /horizontalpodautoscaler\.autoscaling\/web autoscaled/,
  },
  { args: 'get hpa web -n demo', expect: /^web\s+Deployment\/web\s+cpu: .*\/50%\s+2\s+5\s+/m },
  {
    args: 'get horizontalpodautoscalers.v1.autoscaling web -n demo -o jsonpath={.spec.targetCPUUtilizationPercentage}',
    expect: /^50$/,
  },
  { args: 'describe hpa web -n demo', expect: /Reference:\s+Deployment\/web/ },
  // Configuration.
  {
    args: 'create configmap settings --from-literal=mode=fast -n demo',
    expect: /configmap\/settings created/,
  },
  { args: 'get configmap settings -n demo -o jsonpath={.data.mode}', expect: /^fast$/ },
  { args: 'create secret generic token --from-literal=key=s3cr3t -n demo', expect: /secret\/token created/ },
  { args: 'get secret token -n demo -o jsonpath={.data.key}', expect: /^czNjcjN0$/ },
  {
    args: 'create secret docker-registry pull --docker-server=registry.local --docker-username=u --docker-password=p -n demo',
    expect: /secret\/pull created/,
  },
  { args: 'describe secret token -n demo', expect: /Type:\s+Opaque[\s\S]*key:\s+6 bytes/ },
  { args: 'create serviceaccount robot -n demo', expect: /serviceaccount\/robot created/ },
  { args: 'create token robot -n demo', expect: /^eyJ/ },
  // Access control.
  {
    args: 'create role pod-reader --verb=get,list --resource=pods -n demo',
    expect: /role\.rbac\.authorization\.k8s\.io\/pod-reader created/,
  },
  {
    args: 'create rolebinding pod-reader --role=pod-reader --serviceaccount=demo:robot -n demo',
    expect: /rolebinding\.rbac\.authorization\.k8s\.io\/pod-reader created/,
  },
  {
    args: 'create clusterrole node-reader --verb=get,list --resource=nodes',
    expect: /clusterrole\.rbac\.authorization\.k8s\.io\/node-reader created/,
  },
  {
    args: 'create clusterrolebinding node-reader --clusterrole=node-reader --serviceaccount=demo:robot',
    expect: /clusterrolebinding\.rbac\.authorization\.k8s\.io\/node-reader created/,
  },
  { args: 'get clusterroles', expect: /^cluster-admin\s+/m },
  { args: 'describe role pod-reader -n demo', expect: /pods\s+\[\]\s+\[\]\s+\[get list\]/ },
  { args: 'auth can-i list pods --as=system:serviceaccount:demo:robot -n demo', expect: /^yes$/ },
  // Batch.
  {
    args: 'create job hello --image=busybox:1.36 -n demo -- echo hello',
    expect: /job\.batch\/hello created/,
  },
  {
    args: 'wait --for=condition=complete job/hello -n demo --timeout=90s',
    expect: /job\.batch\/hello condition met/,
  },
  { args: 'get jobs -n demo', expect: /^hello\s+Complete\s+1\/1\s+/m },
  {
    args: "create cronjob tick --image=busybox:1.36 --schedule='*/5 * * * *' -n demo -- date",
    expect: /cronjob\.batch\/tick created/,
  },
  { args: 'get cronjobs -n demo', expect: /^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+/m },
  { args: 'create job manual --from=cronjob/tick -n demo', expect: /job\.batch\/manual created/ },
  {
    args: 'run once --image=busybox:1.36 --restart=Never -n demo -- sleep 3600',
    expect: /pod\/once created/,
  },
  { args: 'wait --for=condition=Ready pod/once -n demo --timeout=90s', expect: /pod\/once condition met/ },
  { args: 'exec once -n demo -- true', expect: /.*/ },
  { args: 'delete pod once -n demo', expect: /pod "once" deleted/ },
  // Workloads and storage from manifests.
  { args: 'apply -f -', stdin: deployment('api', 'nginx:1.27'), expect: /deployment\.apps\/api created/ },
  { args: 'apply -f -', stdin: deployment('api', 'nginx:1.27'), expect: /deployment\.apps\/api unchanged/ },
  {
    args: 'diff -f -',
    stdin: deployment('api', 'nginx:1.28'),
    expect:
      /^- {2}generation: 1\n\+ {2}generation: 2$[\s\S]*^-\s+- image: nginx:1\.27\n\+\s+- image: nginx:1\.28$/m,
    code: 1,
  },
  {
    args: 'apply --server-side -f -',
    stdin: deployment('api', 'nginx:1.28'),
    // kube-apiserver lets the `kubectl` manager take over, without conflicts, the fields its client-side apply set
    // (lastAppliedManager); the real server was the reference here.
    expect: /^deployment\.apps\/api serverside-applied$/,
  },
  {
    args: 'apply --server-side --force-conflicts -f -',
    stdin: deployment('api', 'nginx:1.28'),
    expect: /deployment\.apps\/api serverside-applied/,
  },
  {
    args: 'apply --dry-run=server -f -',
    stdin: deployment('api', 'nginx:1.29', 3),
    expect: /deployment\.apps\/api configured \(server dry run\)/,
  },
  { args: 'create deployment tmp --image=nginx --dry-run=client -o yaml', expect: /^kind: Deployment$/m },
  // kubectl replace reads the live resourceVersion, then PUTs: while the rollout still moves, the Deployment
  // controller's status write in between makes the PUT a 409 on a real cluster too. Replace a settled object.
  { args: 'rollout status deployment/api -n demo --timeout=90s', expect: /successfully rolled out/ },
  {
    args: 'replace -f -',
    stdin: deployment('api', 'nginx:1.28', 1),
    expect: /deployment\.apps\/api replaced/,
  },
  {
    args: 'delete -f -',
    stdin: deployment('api', 'nginx:1.28', 1),
    expect: /deployment\.apps "api" deleted/,
  },
  { args: 'apply -f -', stdin: statefulSetYaml('demo', 2), expect: /statefulset\.apps\/db created/ },
  {
    args: 'rollout status statefulset/db -n demo --timeout=90s',
    expect: /partitioned roll out complete: 2 new pods have been updated\.\.\./,
  },
  { args: 'get pods -n demo -l app=db -o name', expect: /^pod\/db-0\npod\/db-1$/m },
  { args: 'apply -f -', stdin: daemonSetYaml('demo'), expect: /daemonset\.apps\/agent created/ },
  {
    args: 'rollout status daemonset/agent -n demo --timeout=90s',
    expect: /daemon set "agent" successfully rolled out/,
  },
  { args: 'get daemonsets -n demo', expect: /^agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s+/m },
  {
    args: 'apply -f -',
    stdin: extras,
    expect:
      /persistentvolumeclaim\/data created\nnetworkpolicy\.networking\.k8s\.io\/deny-all created\nlimitrange\/defaults created/,
  },
  {
    args: 'get pvc,netpol,limits -n demo',
    expect:
      /persistentvolumeclaim\/data[\s\S]*networkpolicy\.networking\.k8s\.io\/deny-all[\s\S]*limitrange\/defaults/,
  },
  {
    args: 'create poddisruptionbudget web --selector=app=web --min-available=1 -n demo',
    expect: /poddisruptionbudget\.policy\/web created/,
  },
  { args: 'get pdb -n demo', expect: /^web\s+1\s+N\/A\s+\d+\s+/m },
  { args: 'create quota small --hard=pods=50 -n demo', expect: /resourcequota\/small created/ },
  { args: 'describe quota small -n demo', expect: /pods\s+\d+\s+50/ },
  { args: 'get storageclasses', expect: /^standard \(default\)\s+/m },
  {
    args: 'apply -f -',
    stdin: widgetCrdYaml,
    expect: /customresourcedefinition\.apiextensions\.k8s\.io\/widgets\.example\.com created/,
  },
  { args: 'wait --for=condition=Established crd/widgets.example.com --timeout=60s', expect: /condition met/ },
  { args: 'apply -f -', stdin: widget, expect: /widget\.example\.com\/w1 created/ },
  { args: 'get widgets -n demo', expect: /^w1\s+/m },
  { args: 'get all -n demo', expect: /deployment\.apps\/web[\s\S]*replicaset\.apps\/web-/ },
  { args: 'get events -n demo', expect: /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m },
  { args: 'events -n demo', expect: /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m },
  // Nodes.
  { args: 'label node node-1 disk=ssd', expect: /node\/node-1 labeled/ },
  { args: 'taint node node-3 dedicated=batch:NoSchedule', expect: /node\/node-3 tainted/ },
  { args: 'taint node node-3 dedicated=batch:NoSchedule-', expect: /node\/node-3 untainted/ },
  { args: 'cordon node-3', expect: /node\/node-3 cordoned/ },
  { args: 'get node node-3', expect: /Ready,SchedulingDisabled/ },
  {
    args: 'drain node-3 --ignore-daemonsets --delete-emptydir-data --timeout=90s',
    expect: /node\/node-3 drained/,
  },
  { args: 'uncordon node-3', expect: /node\/node-3 uncordoned/ },
  // Errors as a real server gives them.
  {
    args: 'get deployment missing -n demo',
    expect: /Error from server \(NotFound\): deployments\.apps "missing" not found/,
    code: 1,
  },
  {
    args: 'get widgets.v2.example.com',
    expect: /the server doesn't have a resource type "widgets"/,
    code: 1,
  },
  {
    args: 'create namespace demo',
    expect: /Error from server \(AlreadyExists\): namespaces "demo" already exists/,
    code: 1,
  },
  {
    args: 'apply -f -',
    stdin: 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n',
    expect: /no matches for kind "Deployment" in version "extensions\/v1beta1"/,
    code: 1,
  },
  // Cleaning up.
  { args: 'delete deployment web -n demo', expect: /deployment\.apps "web" deleted/ },
  { args: 'delete namespace demo --timeout=90s', expect: /namespace "demo" deleted/ },
];
