"""Every hyperparameter of the learner in one dataclass, one line of docstring per field.

Defaults follow PPO practice (cleanrl; Kim & Sycara 2025 for Cleanup/Harvest) scaled to a
2-core CPU; docs/rl.md ("Choices") says where and why each one departs.
"""

import dataclasses
import math

from aga_ref._checks import as_count, as_real, one_of
from aga_ref.aga import SIGN_RULES, check_aligned_lam
from aga_ref.rl.hamiltonian import ESTIMATORS
from aga_ref.rl.layers import ACTIVATIONS
from aga_ref.rl.methods import LAM_METHODS, METHODS, PRODUCT_LAYERS
from aga_ref.rl.optim import OPTIMIZERS

# Fields that only some methods read, and those methods: another method with a value other
# than the default is refused (it would be ignored, yet recorded in config.json).
METHOD_FIELDS = {"sign_rule": ("aga",), "align": ("aga",), "hamiltonian": ("aga",),
                 "hamiltonian_estimator": ("aga",), "hvp_bias": ("aga",),
                 "hamiltonian_layers": ("aga",),
                 "fcgrad_beta": ("fcgrad",), "svo_theta": ("svo",), "svo_weight": ("svo",),
                 "sl_alpha": ("sl",)}  # fmt: skip
ADV_NORM_SCOPES = ("minibatch", "buffer")
CHOICES = {"activation": ACTIVATIONS, "adv_norm_scope": ADV_NORM_SCOPES,
           "hamiltonian_estimator": ESTIMATORS,
           "hamiltonian_layers": PRODUCT_LAYERS}  # a flag's choices  # fmt: skip


@dataclasses.dataclass
class Config:
    method: str = "aga"
    """simul-ind, simul-co, cga, sga, aga, fcgrad, svo or sl (``aga_ref.rl.methods``)"""
    lam: float | None = None
    """AgA's or CGA's lam; None takes the method's default (AgA 0.1, CGA 1); AgA's > 0 with align"""
    sign_rule: str = "paper"
    """AgA's sign rule: paper, exact or per_agent (``aga_ref.aga``)"""
    align: bool = True
    """AgA's sign alignment; False is the "AgA-Sign" ablation (lam kept as given)"""
    hamiltonian: bool = True
    """AgA's H_c^T xi_c term; False is an ablation, not a method of the paper: xi_c + lam xi"""
    hamiltonian_estimator: str = "same"
    """AgA's H_c^T xi_c per minibatch: same, or split (unbiased: aga_ref.rl.hamiltonian)"""
    hamiltonian_layers: str = "all"
    """where AgA's H_c^T xi_c enters: all layers (Eq. 1), or output (an ablation: the rest 0)"""
    hvp_bias: bool = False
    """log hvp_bias, |same - split| / |product used|: one more product per minibatch"""
    env_steps: int = 500_000
    """total environment steps (one environment's step counts 1), rounded up to whole batches"""
    num_envs: int = 32
    """parallel environments B"""
    num_steps: int = 128
    """steps T per environment in one rollout; a batch is T * B samples per agent"""
    seed: int = 0
    """seed of the networks, the action sampling, the minibatches and the environments"""
    critic: str = "mappo"
    """mappo: critics see the global state; ippo: each critic sees its agent's observation"""
    hidden: int = 64
    """units in each of the two hidden layers of every actor and critic"""
    all_gradients: bool = False
    """also compute the gradient the method does not use, for the per-layer instruments"""
    optimizer: str = "adam"
    """the actors' optimiser: adam, or sgd (with momentum; an ablation), critics keep Adam"""
    lr: float = 5e-4
    """Adam's learning rate (actors and critics), linearly annealed to 0 if anneal_lr"""
    sgd_lr: float = 0.05
    """the actors' learning rate with optimizer sgd (annealed like lr; docs/learning.md)"""
    sgd_momentum: float = 0.9
    """SGD's momentum mu (m <- mu m + g, theta <- theta - sgd_lr m)"""
    anneal_lr: bool = True
    """anneal the learning rate linearly to 0 over the run"""
    gamma: float = 0.99
    """discount factor"""
    gae_lambda: float = 0.95
    """GAE's lambda"""
    clip: float = 0.2
    """PPO's ratio clipping eps"""
    ent_coef: float = 0.01
    """weight of the entropy bonus (added outside the surrogate game)"""
    update_epochs: int = 2
    """passes over each batch"""
    num_minibatches: int = 4
    """minibatches per pass"""
    max_grad_norm: float = 0.5
    """global-norm clip of the actors' direction and, separately, of the critics' gradient"""
    norm_adv: bool = True
    """normalise the individual and the collective advantages, over adv_norm_scope"""
    adv_norm_scope: str = "minibatch"
    """minibatch: each agent's per minibatch; buffer: all agents' active samples (MAPPO)"""
    clip_per_network: bool = False
    """clip each actor's direction and each critic's gradient on its own (MAPPO), not together"""
    activation: str = "tanh"
    """the hidden layers' activation in actors and critics: tanh or relu"""
    layer_norm: bool = False
    """LayerNorm on the inputs and after each hidden layer, actors and critics (MAPPO)"""
    layer_norm_affine: bool = True
    """the actors' LayerNorms learn their gains and biases; False (with layer_norm) keeps 1, 0"""
    value_norm: bool = False
    """MAPPO's ValueNorm: critics learn normalised returns, GAE denormalises their values"""
    huber_delta: float = 0.0
    """the value loss's Huber delta; 0: the squared error"""
    clip_value_loss: bool = False
    """clip each value's change to +-clip of its value at collection in the loss (MAPPO)"""
    fcgrad_beta: float = 0.8
    """FCGrad's beta: weight of the collective gradient when the two agree"""
    svo_theta: float = math.pi / 4
    """SVO's target angle (radians) between own and others' mean reward"""
    svo_weight: float = 0.1
    """SVO's weight on the angle deviation, per step"""
    sl_alpha: float = 1.0
    """SL's weight of the social welfare in each agent's reward"""

    def __post_init__(self):
        one_of(self.method, "method", METHODS)
        if self.lam is None:
            self.lam = LAM_METHODS.get(self.method)
        elif self.method not in LAM_METHODS:
            raise ValueError(
                f"lam applies only to methods {sorted(LAM_METHODS)}, got lam={self.lam!r} "
                f"with method={self.method!r}"
            )
        else:
            self.lam = as_real(self.lam, "lam")
        one_of(self.sign_rule, "sign_rule", SIGN_RULES)
        one_of(self.hamiltonian_estimator, "hamiltonian_estimator", ESTIMATORS)
        one_of(self.hamiltonian_layers, "hamiltonian_layers", PRODUCT_LAYERS)
        if self.hamiltonian_layers != "all" and not self.hamiltonian:
            raise ValueError(
                f"hamiltonian_layers={self.hamiltonian_layers!r} restricts the "
                f"product H_c^T xi_c, which hamiltonian=False leaves out; got both"
            )
        one_of(self.optimizer, "optimizer", OPTIMIZERS)
        one_of(self.critic, "critic", ("mappo", "ippo"))
        one_of(self.activation, "activation", ACTIVATIONS)
        one_of(self.adv_norm_scope, "adv_norm_scope", ADV_NORM_SCOPES)
        for name in ("env_steps", "num_envs", "num_steps", "hidden", "update_epochs",
                     "num_minibatches"):  # fmt: skip
            as_count(getattr(self, name), name, minimum=1)
        as_count(self.seed, "seed")
        for name in ("lr", "sgd_lr", "clip", "max_grad_norm"):
            as_real(getattr(self, name), name, positive=True)
        if not 0 <= as_real(self.sgd_momentum, "sgd_momentum") < 1:  # 1 never forgets: diverges
            raise ValueError(f"sgd_momentum must lie in [0, 1), got {self.sgd_momentum}")
        for name in ("gamma", "gae_lambda", "fcgrad_beta"):
            value = as_real(getattr(self, name), name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {value}")
        if as_real(self.huber_delta, "huber_delta") < 0:
            raise ValueError(f"huber_delta must be >= 0 (0: no Huber), got {self.huber_delta}")
        for name in ("ent_coef", "svo_theta", "svo_weight", "sl_alpha"):
            as_real(getattr(self, name), name)
        for name in ("align", "hamiltonian", "hvp_bias", "all_gradients", "anneal_lr", "norm_adv",
                     "clip_per_network", "layer_norm", "layer_norm_affine", "value_norm",
                     "clip_value_loss"):  # fmt: skip
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if self.method == "aga":  # the sign rule chooses lam's sign: |lam| is the user's
            check_aligned_lam(self.lam, self.align)
        defaults = {f.name: f.default for f in dataclasses.fields(self)}
        for name, methods in METHOD_FIELDS.items():  # a method would ignore it: refuse
            value = getattr(self, name)
            if self.method not in methods and value != defaults[name]:
                raise ValueError(f"{name}={value!r} applies only to method "
                                 f"{' or '.join(repr(m) for m in methods)}, got "
                                 f"method={self.method!r}")  # fmt: skip
        for name in ("sgd_lr", "sgd_momentum"):
            if self.optimizer != "sgd" and getattr(self, name) != defaults[name]:
                raise ValueError(f"{name} applies only to optimizer 'sgd', got "
                                 f"{name}={getattr(self, name)!r} with "
                                 f"optimizer={self.optimizer!r}")  # fmt: skip
        if self.hamiltonian_estimator == "split" or self.hvp_bias:
            self._check_split()
        if not self.layer_norm_affine and not self.layer_norm:
            raise ValueError(
                "layer_norm_affine=False fixes the gains and biases of the "
                "LayerNorms, which need layer_norm=True; got layer_norm=False (off by default)"
            )
        if not self.norm_adv and self.adv_norm_scope != defaults["adv_norm_scope"]:
            raise ValueError(f"adv_norm_scope applies only with norm_adv, got adv_norm_scope="
                             f"{self.adv_norm_scope!r} with norm_adv=False")  # fmt: skip
        if (self.num_envs * self.num_steps) % self.num_minibatches:
            raise ValueError(
                f"num_minibatches must divide num_envs * num_steps = "
                f"{self.num_envs * self.num_steps}, got {self.num_minibatches}"
            )

    def _check_split(self):
        """The split estimate (used, or for hvp_bias) needs the product and two samples in
        every minibatch."""
        what = "hvp_bias=True" if self.hvp_bias else "hamiltonian_estimator='split'"
        if not self.hamiltonian:
            raise ValueError(f"{what} needs the product H_c^T xi_c, which hamiltonian=False "
                             f"leaves out; got both")  # fmt: skip
        if self.num_envs * self.num_steps < 2 * self.num_minibatches:
            raise ValueError(f"{what} needs minibatches of 2 or more "
                             f"samples, got num_envs * num_steps = {self.batch_steps} in "
                             f"num_minibatches = {self.num_minibatches}")  # fmt: skip

    @property
    def batch_steps(self):
        """Environment steps per update: T * B."""
        return self.num_envs * self.num_steps

    @property
    def num_updates(self):
        """Updates in the run: ceil(env_steps / (T * B))."""
        return -(-self.env_steps // self.batch_steps)
