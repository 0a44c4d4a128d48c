"""Quiz for notebook 11 — hardware."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="Why does a larger batch make a dense layer more compute-bound?",
        choices=("The weights W are read once and reused for every row, so FLOPs per byte grow",
                 "Larger batches use fewer FLOPs", "The GPU runs at a higher clock",
                 "Activations become smaller"),
        answer=0,
        explanation="FLOPs grow like B·D·H while the bytes grow like B·D + D·H + B·H; for B = 1 the "
                    "D·H weights dominate (intensity 0.5 FLOP/byte in float32), and for a square layer "
                    "the intensity is about B/2 while B ≪ D. §3 measures it: with the weights out of "
                    "cache, B = 1 runs on the memory roof and the largest batch near the compute peak.",
    ),
    Question(
        prompt="You time a GPU matmul with time.perf_counter() around one call and get 20 µs. "
               "What is most likely wrong?",
        choices=("Nothing", "Without torch.cuda.synchronize() you timed the asynchronous kernel launch, "
                 "not the work (and there was no warm-up)", "perf_counter is too coarse",
                 "The GPU was idle"),
        answer=1,
        explanation="CUDA calls return as soon as the kernel is queued. Synchronize before reading the "
                    "clock, warm up first (lazy init, caches), repeat and report the median with its spread.",
    ),
    Question(
        prompt="A model has P parameters trained with Adam in float32. Ignoring activations, how "
               "much memory does training need?",
        choices=("4P bytes", "8P bytes", "16P bytes", "32P bytes"),
        answer=2,
        explanation="Parameters 4P + gradients 4P + Adam's two moment buffers 8P = 16P bytes: four times "
                    "the parameters, twice what plain SGD needs. Activations and temporaries come on top "
                    "(§6 measures the step peaking in the update, where temporaries pile up).",
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
    Question(
        prompt="A plain attention implementation writes the L×L score matrix of every head to memory and "
               "reads it back. What happens to its arithmetic intensity as the sequence length L grows?",
        choices=("It grows like L, so long sequences are compute-bound",
                 "It falls like 1/L",
                 "It is exactly that of a dense layer with batch L",
                 "It levels off near 2·d_head/s FLOP/byte, so attention stays memory-bound; fused kernels "
                 "(FlashAttention) that never store the scores avoid the cap"),
        answer=3,
        explanation="FLOPs grow like 4BL²d, but so do the bytes of the score matrices (2BhL² numbers), so "
                    "their ratio tends to 2d/(s·h) = 2·d_head/s — 32 FLOP/byte for d_head = 64 in float32 "
                    "(§1's table). Keeping the scores on chip leaves only Q, K, V and the output to move.",
    ),
    Question(
        prompt="Why quantize a weight matrix with one int8 scale per output channel instead of one per matrix?",
        choices=("It makes the integers smaller than 8 bits",
                 "It avoids rounding altogether",
                 "A channel with small weights gets its own fine step instead of the coarse step set by "
                 "the largest weight in the matrix",
                 "int8 cannot store a single scale"),
        answer=2,
        explanation="The rounding error is up to half a step, and the step is set by the largest magnitude "
                    "it must represent. In §7, columns spanning 100× in size: with one scale the smallest "
                    "column loses most of its precision, with one per column every column keeps < 1 % error.",
    ),
]
