"""Quiz for notebook 11 — hardware."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="How many FLOPs does a dense layer X (B, D) @ W (D, H) take?",
        choices=("B·D·H", "2·B·D·H", "B·(D + H)", "2·D·H"),
        answer=1,
        explanation="Each of the B·H outputs is a dot product of length D: D multiplies and D adds, "
                    "so 2·B·D·H FLOPs (the bias adds another B·H, usually ignored).",
    ),
    Question(
        prompt="Why does a larger batch make a dense layer more compute-bound?",
        choices=("The weights W are read once and reused for every row, so FLOPs per byte grow",
                 "Larger batches use fewer FLOPs", "The GPU runs at a higher clock",
                 "Activations become smaller"),
        answer=0,
        explanation="FLOPs grow like B·D·H while the bytes grow like B·D + D·H + B·H; for B = 1 the "
                    "D·H weights dominate (intensity ~0.5 FLOP/byte in float32), for large B the "
                    "intensity approaches the order of min(B, D, H)/6.",
    ),
    Question(
        prompt="You time a GPU matmul with time.perf_counter() around one call and get 20 µs. "
               "What is most likely wrong?",
        choices=("Nothing", "Without torch.cuda.synchronize() you timed the asynchronous kernel launch, "
                 "not the work (and there was no warm-up)", "perf_counter is too coarse",
                 "The GPU was idle"),
        answer=1,
        explanation="CUDA calls return as soon as the kernel is queued. Synchronize before reading the "
                    "clock, warm up first (lazy init, caches), repeat and report the median.",
    ),
    Question(
        prompt="A model has P parameters trained with Adam in float32. Ignoring activations, how "
               "much memory does training need?",
        choices=("4P bytes", "8P bytes", "16P bytes", "32P bytes"),
        answer=2,
        explanation="Parameters 4P + gradients 4P + Adam's two moment buffers 8P = 16P bytes. "
                    "Activations come on top and grow with the batch size (checkpointing reduces them).",
    ),
    Question(
        prompt="Why does mixed-precision training with float16 use loss scaling?",
        choices=("To speed up the forward pass", "Small gradients underflow to 0 in float16; scaling the "
                 "loss shifts them into the representable range", "To reduce memory",
                 "Because float16 cannot represent the loss"),
        answer=1,
        explanation="float16's smallest subnormal is about 6e-8. Multiplying the loss by S scales every "
                    "gradient by S during backward; dividing by S in float32 afterwards restores the "
                    "values. bfloat16 has float32's range and usually does not need it.",
    ),
]
