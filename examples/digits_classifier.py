"""Train a small classifier on the UCI digits with tf.GradientTape and print test accuracy.

The dataset ships inside tensorforge (tf.keras.datasets.digits), so this runs offline:

    make demo
"""
import time

import tensorforge as tf

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.digits.load_data()
x_train = tf.reshape(tf.constant(x_train, dtype=tf.float32) / 16.0, [-1, 64])
x_test = tf.reshape(tf.constant(x_test, dtype=tf.float32) / 16.0, [-1, 64])
y_train = tf.constant(y_train, dtype=tf.int32)
y_test = tf.constant(y_test, dtype=tf.int32)

tf.random.set_seed(0)


class MLP(tf.Module):
    """A 64-128-10 perceptron with a ReLU hidden layer."""

    def __init__(self, sizes=(64, 128, 10)):
        super().__init__()
        self.weights = [tf.Variable(tf.random.normal([a, b], stddev=(2.0 / a) ** 0.5)) for a, b in zip(sizes, sizes[1:])]
        self.biases = [tf.Variable(tf.zeros([b])) for b in sizes[1:]]

    def __call__(self, x):
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = x @ w + b
            if i < len(self.weights) - 1:
                x = tf.nn.relu(x)
        return x


class Adam:
    """Adam on plain variables (Keras optimizers arrive with tf.keras)."""

    def __init__(self, variables, lr=1e-2, b1=0.9, b2=0.999, eps=1e-7):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = [tf.zeros_like(v) for v in variables]
        self.v = [tf.zeros_like(v) for v in variables]

    def apply(self, grads, variables):
        self.t += 1
        lr = self.lr * (1 - self.b2 ** self.t) ** 0.5 / (1 - self.b1 ** self.t)
        for i, (g, var) in enumerate(zip(grads, variables)):
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * tf.square(g)
            var.assign_sub(lr * self.m[i] / (tf.sqrt(self.v[i]) + self.eps))


model = MLP()
opt = Adam(model.trainable_variables)
batch = 64
n = int(x_train.shape[0])
start = time.perf_counter()
for epoch in range(15):
    order = tf.random.shuffle(tf.range(n))
    total = 0.0
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        xb, yb = tf.gather(x_train, idx), tf.gather(y_train, idx)
        with tf.GradientTape() as tape:
            logits = model(xb)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply(grads, model.trainable_variables)
        total += float(loss) * int(xb.shape[0])
    if epoch % 5 == 4:
        print("epoch %2d  loss %.4f" % (epoch + 1, total / n))

pred = tf.argmax(model(x_test), axis=1, output_type=tf.int32)
accuracy = float(tf.reduce_mean(tf.cast(tf.equal(pred, y_test), tf.float32)))
print("trained in %.1f s" % (time.perf_counter() - start))
print("test accuracy: %.4f" % accuracy)
