"""The guide's Keras workflow on real data shipped with tensorforge:

- a Sequential classifier on the UCI digits fed by the seed's tf.data pipeline
  (from_tensor_slices -> shuffle -> map(AUTOTUNE) -> batch -> prefetch; compile, fit with
  EarlyStopping and ModelCheckpoint("best_model.keras"), evaluate, reload the best model), and
- a Functional binary classifier on the breast-cancer data, scored by AUC.

    .venv/bin/python examples/keras_workflow.py
"""
import os
import tempfile

import numpy as np

import tensorforge as tf
from tensorforge import keras


def digits_accuracy(epochs: int = 40, verbose: int = 0) -> float:
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    keras.utils.set_random_seed(0)
    cut = int(len(x_train) * 0.9)  # the last 10% of the training data validates

    def preprocess(image, label):
        return tf.reshape(tf.cast(image, tf.float32) / 16.0, [64]), label

    def pipeline(x, y, shuffle):
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(1000)
        return ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE).batch(32).prefetch(tf.data.AUTOTUNE)

    train_ds = pipeline(x_train[:cut], y_train[:cut], shuffle=True)
    val_ds = pipeline(x_train[cut:], y_train[cut:], shuffle=False)
    test_ds = pipeline(x_test, y_test, shuffle=False)
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    with tempfile.TemporaryDirectory() as tmp:
        best_path = os.path.join(tmp, "best_model.keras")
        checkpoint = keras.callbacks.ModelCheckpoint(best_path, monitor="val_loss", save_best_only=True)
        model.fit(train_ds, epochs=epochs, validation_data=val_ds, callbacks=[early, checkpoint], verbose=verbose)
        best = keras.models.load_model(best_path)
    _, accuracy = best.evaluate(test_ds, verbose=0)
    return accuracy


def breast_cancer_auc(epochs: int = 60, verbose: int = 0) -> float:
    (x_train, y_train), (x_test, y_test) = keras.datasets.breast_cancer.load_data()
    keras.utils.set_random_seed(0)
    norm = keras.layers.Normalization()
    norm.adapt(x_train)
    inputs = keras.Input(shape=(30,))
    x = norm(inputs)
    x = keras.layers.Dense(32, activation="relu")(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["AUC"])
    model.fit(x_train, y_train.astype("float32").reshape(-1, 1), batch_size=32, epochs=epochs, verbose=verbose)
    _, auc = model.evaluate(x_test, y_test.astype("float32").reshape(-1, 1), verbose=0)
    return auc


if __name__ == "__main__":
    print("digits test accuracy: %.4f" % digits_accuracy(verbose=2))
    print("breast cancer test AUC: %.4f" % breast_cancer_auc())
    print("tensorforge", tf.__version__, "numpy", np.__version__)
