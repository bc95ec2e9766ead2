import { installPolicySource } from '#layers/composition/instance-policy.ts';
import { defaultPolicy } from '#layers/policy/default-policy.ts';
import { fixedPolicySource } from '#layers/policy/policy-source.ts';

// Every test file's functions use the repository's policy file (infra/policy/policy.yaml), as
// local mode does; a file that does not validate fails every test that loads it. Local mode
// installs its own watched file on start.
installPolicySource(fixedPolicySource(defaultPolicy));
